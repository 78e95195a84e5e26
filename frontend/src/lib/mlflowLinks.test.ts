import { describe, expect, it } from "vitest";

import { parseMlflowHash, runUrls } from "./mlflowLinks";

describe("parseMlflowHash", () => {
  it("reads the run link the MLflow client prints", () => {
    expect(parseMlflowHash("#/experiments/3/runs/0123abcd")).toEqual({
      kind: "run",
      experimentId: "3",
      runId: "0123abcd",
    });
  });

  it("ignores the workspace query and a path below the run", () => {
    expect(parseMlflowHash("#/experiments/0/runs/r1?workspace=team")).toEqual({
      kind: "run",
      experimentId: "0",
      runId: "r1",
    });
    expect(parseMlflowHash("#/experiments/0/runs/r1/artifacts/model")).toMatchObject({ kind: "run", runId: "r1" });
  });

  it("reads the experiment link, and other experiment views as the experiment", () => {
    expect(parseMlflowHash("#/experiments/7")).toEqual({ kind: "experiment", experimentId: "7" });
    expect(parseMlflowHash("#/experiments/7/")).toEqual({ kind: "experiment", experimentId: "7" });
    expect(parseMlflowHash("#/experiments/7/models/m-1")).toEqual({ kind: "experiment", experimentId: "7" });
  });

  it("reads registered model and version links, decoding names", () => {
    expect(parseMlflowHash("#/models/churn%20model")).toEqual({ kind: "model", name: "churn model" });
    expect(parseMlflowHash("#/models/churn/versions/4")).toEqual({ kind: "version", name: "churn", number: 4 });
    expect(parseMlflowHash("#mlflow/models/churn/versions/2")).toEqual({ kind: "version", name: "churn", number: 2 });
    expect(parseMlflowHash("#/models/churn/versions/x")).toEqual({ kind: "model", name: "churn" });
  });

  it("knows nothing else", () => {
    for (const hash of ["", "#", "#/", "#/compare-runs?runs=[1]", "#/experiments", "#/models/%E0%A4%A", "#/metric/acc"]) {
      expect(parseMlflowHash(hash)).toEqual({ kind: "unknown" });
    }
  });
});

describe("runUrls", () => {
  it("encodes each part", () => {
    expect(runUrls.run("p 1", "abc")).toBe("/projects/p%201/runs/abc");
    expect(runUrls.experiment("p", "0")).toBe("/projects/p/experiments/0");
    expect(runUrls.experiments("p")).toBe("/projects/p/experiments");
  });
});
