import { describe, expect, it } from "vitest";

import { cellChanges, columnKey, compareSelectionProblem, formatColumn, statusCounts, visibleRows } from "./compare";

describe("compareSelectionProblem", () => {
  it("allows two to ten versions and says why not otherwise", () => {
    expect(compareSelectionProblem(0)).toBe("Select at least two versions to compare.");
    expect(compareSelectionProblem(1)).toBe("Select at least one more version to compare.");
    expect(compareSelectionProblem(2)).toBeNull();
    expect(compareSelectionProblem(10)).toBeNull();
    expect(compareSelectionProblem(11)).toBe("Compare at most 10 versions at a time (11 selected).");
  });
});

describe("visibleRows", () => {
  const rows = [
    { key: "a", differs: false },
    { key: "b", differs: true },
    { key: "c", differs: true },
  ];
  it("keeps every row, or only those that differ, in order", () => {
    expect(visibleRows(rows, false).map((r) => r.key)).toEqual(["a", "b", "c"]);
    expect(visibleRows(rows, true).map((r) => r.key)).toEqual(["b", "c"]);
    expect(visibleRows([{ differs: false }], true)).toEqual([]);
  });
});

describe("statusCounts", () => {
  it("counts added, removed and changed rows, leaving out zeros and SAME", () => {
    const rows = (["SAME", "CHANGED", "ADDED", "CHANGED", "SAME"] as const).map((status) => ({ status }));
    expect(statusCounts(rows)).toEqual([
      { status: "ADDED", count: 1 },
      { status: "CHANGED", count: 2 },
    ]);
    expect(statusCounts([])).toEqual([]);
  });
});

describe("cellChanges", () => {
  it("compares every cell with the first version's", () => {
    expect(cellChanges(["0.1", "0.1", "0.2", null])).toEqual(["base", "same", "changed", "removed"]);
    expect(cellChanges([null, "x", null])).toEqual(["base", "added", "same"]);
    expect(cellChanges([undefined, null])).toEqual(["base", "same"]);
  });
});

describe("signature columns", () => {
  it("formats type, shape and optional", () => {
    expect(formatColumn({ name: "age", type: "long", optional: false })).toBe("long");
    expect(formatColumn({ type: "float32", shape: [-1, 4], optional: true })).toBe("float32 [-1, 4] (optional)");
    expect(formatColumn({ type: "double", shape: [], optional: false })).toBe("double");
  });

  it("tells columns apart by type, shape and optional, not name", () => {
    const col = { name: "a", type: "long", shape: null, optional: false };
    expect(columnKey(col)).toBe(columnKey({ ...col, name: "b" }));
    expect(columnKey(col)).not.toBe(columnKey({ ...col, optional: true }));
    expect(columnKey(col)).not.toBe(columnKey({ ...col, type: "double" }));
    expect(columnKey(null)).toBeNull();
  });
});
