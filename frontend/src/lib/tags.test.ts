import { describe, expect, it } from "vitest";
import { formatTagFilter, parseTagFilter, parseTagFilters, tagInputs, tagLabel } from "./tags";

describe("tag filters", () => {
  it("parses key=value and bare keys", () => {
    expect(parseTagFilter("team=growth")).toEqual({ key: "team", value: "growth" });
    expect(parseTagFilter(" team = growth ")).toEqual({ key: "team", value: "growth" });
    expect(parseTagFilter("pii")).toEqual({ key: "pii" });
    expect(parseTagFilter("url=a=b")).toEqual({ key: "url", value: "a=b" });
    expect(parseTagFilter("team=")).toEqual({ key: "team", value: "" });
  });

  it("drops empty and keyless filters", () => {
    expect(parseTagFilter("  ")).toBeNull();
    expect(parseTagFilter("=x")).toBeNull();
    expect(parseTagFilters(["a=1", "", "=2", "b"])).toEqual([{ key: "a", value: "1" }, { key: "b" }]);
  });

  it("round-trips", () => {
    for (const text of ["team=growth", "pii"]) {
      const parsed = parseTagFilter(text);
      expect(parsed && formatTagFilter(parsed)).toBe(text);
    }
  });
});

describe("tagInputs", () => {
  it("turns the texts of a create form into the API's tag inputs", () => {
    expect(tagInputs(["team=growth", " pii ", "=x", "", "url=a=b"])).toEqual([
      { key: "team", value: "growth" },
      { key: "pii", value: "" },
      { key: "url", value: "a=b" },
    ]);
  });
});

describe("tagLabel", () => {
  it("shows key and value, or the key alone for a tag without a value", () => {
    expect(tagLabel({ key: "team", value: "growth" })).toBe("team: growth");
    expect(tagLabel({ key: "pii", value: "" })).toBe("pii");
  });
});
