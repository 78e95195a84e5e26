import { describe, expect, it } from "vitest";

import {
  chartGeometry,
  envLines,
  formatMetric,
  loadModelSnippet,
  logModelSnippet,
  modelUris,
  trackingUri,
} from "./mlflow";

describe("trackingUri", () => {
  it("puts the project's path between the origin and /mlflow", () => {
    expect(trackingUri("https://reg.example", "fraud")).toBe("https://reg.example/projects/fraud/mlflow");
  });
  it("encodes the path and drops a trailing slash of the origin", () => {
    expect(trackingUri("http://localhost:8000/", "a b")).toBe("http://localhost:8000/projects/a%20b/mlflow");
  });
});

describe("snippets", () => {
  it("sets the tracking URI and a placeholder token", () => {
    expect(envLines("http://h/projects/p/mlflow").split("\n")).toEqual([
      "export MLFLOW_TRACKING_URI=http://h/projects/p/mlflow",
      "export MLFLOW_TRACKING_TOKEN=<your token>",
    ]);
  });
  it("logs the model inside a run and registers it under the model's name", () => {
    const code = logModelSnippet('churn "v2"');
    expect(code).toContain("with mlflow.start_run():");
    expect(code).toContain(
      'mlflow.sklearn.log_model(model, name="model", registered_model_name="churn \\"v2\\"")',
    );
    expect(code.indexOf("with mlflow.start_run():")).toBeLessThan(code.indexOf("log_model"));
  });
  it("loads a model through pyfunc", () => {
    expect(loadModelSnippet("models:/churn/3")).toContain('mlflow.pyfunc.load_model("models:/churn/3")');
  });
});

describe("modelUris", () => {
  it("lists the number, the SemVer and each alias, the SemVer alias once", () => {
    expect(modelUris("churn", 3, "1.2.0", ["1.2.0", "champion"]).map((u) => u.uri)).toEqual([
      "models:/churn/3",
      "models:/churn@1.2.0",
      "models:/churn@champion",
    ]);
  });
});

describe("chartGeometry", () => {
  it("draws one point per valued step, in step order, inside the padding", () => {
    const g = chartGeometry(
      [
        { step: 2, value: 0.5 },
        { step: 0, value: 1 },
        { step: 1, value: null },
        { step: 4, value: 0 },
      ],
      100,
      50,
      5,
    )!;
    expect(g.dots.map((d) => d.step)).toEqual([0, 2, 4]);
    expect(g.path.match(/[ML]/g)).toHaveLength(3);
    expect(g.dots[0]).toMatchObject({ x: 5, y: 5 }); // highest value at the top left
    expect(g.dots[2]).toMatchObject({ x: 95, y: 45 });
    expect([g.minValue, g.maxValue, g.minStep, g.maxStep]).toEqual([0, 1, 0, 4]);
  });
  it("centres a single point", () => {
    const g = chartGeometry([{ step: 7, value: 3 }], 100, 50, 5)!;
    expect(g.path).toBe("M 50 25");
  });
  it("has nothing to draw when every value is null", () => {
    expect(chartGeometry([{ step: 0, value: null }], 100, 50, 5)).toBeNull();
    expect(chartGeometry([], 100, 50, 5)).toBeNull();
  });
});

describe("formatMetric", () => {
  it("keeps six significant digits and shows null as a dash", () => {
    expect(formatMetric(0.123456789)).toBe("0.123457");
    expect(formatMetric(12)).toBe("12");
    expect(formatMetric(null)).toBe("—");
  });
});
