import { describe, expect, it } from "vitest";

import {
  contourFigure,
  defaultPicks,
  isNumeric,
  isNumericParam,
  paramAxis,
  parallelFigure,
  type PlotInput,
  scatterFigure,
} from "./plots";

const input: PlotInput = {
  versions: ["1.0.0", "1.1.0", "2.0.0", "2.1.0"],
  params: [
    { key: "solver", values: ["lbfgs", "saga", "lbfgs", null] },
    { key: "C", values: ["0.5", "1", "2", "4"] },
    { key: "depth", values: ["3", "5", null, "8"] },
  ],
  metrics: [
    { key: "accuracy", latest: [0.8, 0.85, 0.9, null] },
    { key: "loss", latest: [0.5, 0.4, 0.3, 0.2] },
  ],
};

describe("numbers and categories", () => {
  it("reads numbers as written", () => {
    for (const yes of ["0", "-3", "0.5", ".5", "1e-4", "+2", " 7 "]) expect(isNumeric(yes)).toBe(true);
    for (const no of ["", "abc", "0x10", "NaN", "Infinity", "1,5", "True", "1.2.3"]) expect(isNumeric(no)).toBe(false);
  });

  it("treats a param as numeric only when every present value is", () => {
    expect(isNumericParam(input.params[1]!)).toBe(true);
    expect(isNumericParam(input.params[2]!)).toBe(true); // a missing value does not count
    expect(isNumericParam(input.params[0]!)).toBe(false);
    expect(isNumericParam({ key: "x", values: [null, null] })).toBe(false);
  });

  it("places categories at their sorted index", () => {
    const axis = paramAxis(input.params[0]!);
    expect(axis.numeric).toBe(false);
    expect(axis.categories).toEqual(["lbfgs", "saga"]);
    expect(axis.values).toEqual([0, 1, 0, null]);
  });
});

describe("defaultPicks", () => {
  it("starts with the first numeric param and the first metric", () => {
    expect(defaultPicks(input)).toEqual({
      param: "C",
      param2: "depth",
      metric: "accuracy",
      params: ["C", "depth", "solver"],
      metrics: ["accuracy", "loss"],
    });
    expect(defaultPicks({ versions: [], params: [], metrics: [] }).param).toBeNull();
  });
});

describe("scatterFigure", () => {
  it("draws one labelled point per version that has both values", () => {
    const { figure, omitted, problem } = scatterFigure(input, "C", "accuracy");
    expect(problem).toBeNull();
    const trace = figure!.data[0] as { x: number[]; y: number[]; text: string[] };
    expect(trace.x).toEqual([0.5, 1, 2]);
    expect(trace.y).toEqual([0.8, 0.85, 0.9]);
    expect(trace.text).toEqual(["1.0.0", "1.1.0", "2.0.0"]);
    expect(omitted).toEqual(["2.1.0 (no accuracy)"]);
    expect(figure!.layout.xaxis?.type).toBe("linear");
  });

  it("puts a categorical param on a category axis", () => {
    const { figure } = scatterFigure(input, "solver", "loss");
    const trace = figure!.data[0] as { x: number[] };
    expect(trace.x).toEqual([0, 1, 0]);
    expect(figure!.layout.xaxis?.ticktext).toEqual(["lbfgs", "saga"]);
  });

  it("says what is missing", () => {
    expect(scatterFigure(input, null, "loss").problem).toBe("Choose a parameter and a metric.");
    const none = scatterFigure({ ...input, metrics: [{ key: "m", latest: [null, null, null, null] }] }, "C", "m");
    expect(none.figure).toBeNull();
    expect(none.problem).toBe("No version has both C and m.");
  });
});

describe("contourFigure", () => {
  it("interpolates the metric over two params, with the versions on top", () => {
    const { figure, omitted } = contourFigure(
      { ...input, params: [...input.params, { key: "lr", values: ["0.1", "0.01", "0.1", "0.01"] }] },
      "C",
      "lr",
      "loss",
    );
    expect(omitted).toEqual([]);
    const [contour, points] = figure!.data as { type: string; x: number[]; y: number[]; z?: number[] }[];
    expect(contour!.type).toBe("contour");
    expect(contour!.z).toEqual([0.5, 0.4, 0.3, 0.2]);
    expect(points!.type).toBe("scatter");
    expect(points!.y).toEqual([0.1, 0.01, 0.1, 0.01]);
  });

  it("needs three versions spread over two different params", () => {
    expect(contourFigure(input, "C", "C", "loss").problem).toBe("Choose two different parameters.");
    // depth lacks 2.0.0 and accuracy lacks 2.1.0: two versions are left.
    const few = contourFigure(input, "C", "depth", "accuracy");
    expect(few.figure).toBeNull();
    expect(few.problem).toMatch(/at least three versions/);
    expect(few.omitted).toEqual(["2.0.0 (no depth)", "2.1.0 (no accuracy)"]);
  });
});

describe("parallelFigure", () => {
  it("makes one axis per param and metric, one line per complete version", () => {
    const { figure, omitted } = parallelFigure(input, ["C", "solver"], ["loss"]);
    expect(omitted).toEqual(["2.1.0 (no solver)"]);
    const trace = figure!.data[0] as {
      type: string;
      dimensions: { label: string; values: number[]; ticktext?: string[] }[];
      line: { color: number[] };
    };
    expect(trace.type).toBe("parcoords");
    expect(trace.dimensions.map((d) => d.label)).toEqual(["C", "solver", "loss"]);
    expect(trace.dimensions[0]!.values).toEqual([0.5, 1, 2]);
    expect(trace.dimensions[1]!.ticktext).toEqual(["lbfgs", "saga"]);
    expect(trace.line.color).toEqual([0.5, 0.4, 0.3]);
  });

  it("needs two axes", () => {
    expect(parallelFigure(input, ["C"], []).problem).toBe("Choose at least two parameters or metrics.");
    expect(parallelFigure(input, ["nope"], ["gone"]).problem).toBe("Choose at least two parameters or metrics.");
  });
});
