import { describe, expect, it } from "vitest";

import { inStage, pageCount, pageOffset, parsePage, pickerSelection, stageGroups, unknownVersions, withPage } from "./glance";

const v = (version: string, stage: string) => ({ id: `V-${version}`, version, stage });

describe("stageGroups", () => {
  it("gives Production then Staging, keeping each stage's order and leaving out empty stages", () => {
    const groups = stageGroups([v("1.5.0-rc.1", "STAGING"), v("1.4.0", "PRODUCTION"), v("1.3.0", "PRODUCTION")]);
    expect(groups.map((g) => [g.label, g.versions.map((x) => x.version)])).toEqual([
      ["Production", ["1.4.0", "1.3.0"]],
      ["Staging", ["1.5.0-rc.1"]],
    ]);
    expect(stageGroups([v("1.0.0", "STAGING")]).map((g) => g.stage)).toEqual(["STAGING"]);
    expect(stageGroups([v("1.0.0", "NONE"), v("0.9.0", "ARCHIVED")])).toEqual([]);
  });

  it("picks one stage's versions", () => {
    expect(inStage([v("1.0.0", "STAGING"), v("2.0.0", "PRODUCTION")], "STAGING").map((x) => x.version)).toEqual(["1.0.0"]);
  });
});

describe("page numbers", () => {
  it("reads ?page= as a page from 1, anything odd as page 1", () => {
    expect(parsePage("3")).toBe(3);
    for (const odd of [null, "", "0", "-2", "x", "2.5", "1e3", "99999999999999999999"]) expect(parsePage(odd)).toBe(1);
  });

  it("counts pages and offsets", () => {
    expect(pageCount(0, 20)).toBe(1);
    expect(pageCount(20, 20)).toBe(1);
    expect(pageCount(21, 20)).toBe(2);
    expect(pageOffset(1, 20)).toBe(0);
    expect(pageOffset(3, 20)).toBe(40);
  });

  it("keeps other params and leaves page 1 out of the URL", () => {
    const params = new URLSearchParams("q=churn&tag=a&tag=b&page=2");
    expect(withPage(params, 3).toString()).toBe("q=churn&tag=a&tag=b&page=3");
    expect(withPage(params, 1).toString()).toBe("q=churn&tag=a&tag=b");
    expect(params.get("page")).toBe("2"); // not changed in place
  });
});

describe("compare picker", () => {
  it("keeps the URL's versions the model has, in order, once", () => {
    expect(pickerSelection(["2.0.0", "9.9.9", "1.0.0", "2.0.0"], ["1.0.0", "2.0.0"])).toEqual(["2.0.0", "1.0.0"]);
    expect(pickerSelection(["2.0.0", "9.9.9"], null)).toEqual(["2.0.0", "9.9.9"]);
    expect(unknownVersions(["1.0.0", "9.9.9", "9.9.9"], ["1.0.0"])).toEqual(["9.9.9"]);
  });
});
