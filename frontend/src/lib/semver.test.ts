import { describe, expect, it } from "vitest";
import { versionProblem, versionSuggestions } from "./semver";

describe("versionProblem", () => {
  it.each(["1.0.0", "2.0.1-rc2", "10.0.0", "1.0.0-alpha.1+build.5"])("accepts %s", (v) => {
    expect(versionProblem(v, "2.1.0")).toBeNull();
  });

  it.each(["1.0", "01.2.3", "1.2.3-", "latest", "1.2.3.4"])("refuses %s naming the latest", (v) => {
    expect(versionProblem(v, "2.1.0")).toBe(
      "Must be a semantic version (MAJOR.MINOR.PATCH) — latest is 2.1.0",
    );
  });

  it("explains a leading v", () => {
    expect(versionProblem("v1.2.3", null)).toBe(
      "Must be a semantic version without the leading 'v' such as 1.0.0 or 2.0.1-rc2",
    );
  });

  it("asks for a value and for no surrounding spaces", () => {
    expect(versionProblem("", null)).toBe("Enter a version such as 1.0.0.");
    expect(versionProblem(" 1.0.0", null)).toBe("Remove the spaces around the version.");
  });
});

describe("versionSuggestions", () => {
  const labels = (s: { label: string; value: string }[]) => s.map((x) => `${x.label} ${x.value}`);

  it("offers a first development and a first stable release when there is no version yet", () => {
    // The server's Minor and Patch over nothing are both 0.1.0.
    expect(labels(versionSuggestions(null, { major: "1.0.0", minor: "0.1.0", patch: "0.1.0" }))).toEqual([
      "Development 0.1.0",
      "Stable 1.0.0",
    ]);
  });

  it("offers Major, Minor and Patch over a release", () => {
    expect(labels(versionSuggestions("1.2.3", { major: "2.0.0", minor: "1.3.0", patch: "1.2.4" }))).toEqual([
      "Major 2.0.0",
      "Minor 1.3.0",
      "Patch 1.2.4",
    ]);
  });

  it("shows a number once, under the largest bump that gives it", () => {
    expect(labels(versionSuggestions("2.0.0-rc.1", { major: "2.0.0", minor: "2.0.0", patch: "2.0.0" }))).toEqual([
      "Major 2.0.0",
    ]);
    expect(labels(versionSuggestions("1.2.0-rc.1", { major: "2.0.0", minor: "1.2.0", patch: "1.2.0" }))).toEqual([
      "Major 2.0.0",
      "Minor 1.2.0",
    ]);
  });
});
