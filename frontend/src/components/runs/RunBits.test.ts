import { describe, expect, it } from "vitest";

import { keyMetricColumns } from "./RunBits";

describe("keyMetricColumns", () => {
  it("picks the metrics most runs logged, then by name, at most `max`", () => {
    const runs = [
      { metrics: [{ key: "loss" }, { key: "acc" }, { key: "f1" }] },
      { metrics: [{ key: "loss" }, { key: "auc" }] },
      { metrics: [{ key: "loss" }, { key: "acc" }] },
    ];
    expect(keyMetricColumns(runs, 3)).toEqual(["loss", "acc", "auc"]);
    expect(keyMetricColumns([])).toEqual([]);
  });
});
