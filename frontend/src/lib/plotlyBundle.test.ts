import { describe, expect, it } from "vitest";

import Plotly, { TRACE_TYPES } from "./plotlyBundle";
import { contourFigure, parallelFigure, type Figure, type PlotInput, scatterFigure } from "./plots";

// The partial Plotly build must hold every trace type the compare page draws: a missing one
// would leave that plot blank in the browser, which only e2e would otherwise notice.
const input: PlotInput = {
  versions: ["1.0.0", "1.1.0", "2.0.0", "2.1.0"],
  params: [
    { key: "C", values: ["0.5", "1", "2", "4"] },
    { key: "depth", values: ["3", "5", "6", "8"] },
    { key: "solver", values: ["lbfgs", "saga", "lbfgs", "saga"] },
  ],
  metrics: [{ key: "loss", latest: [0.5, 0.4, 0.3, 0.2] }],
};

function figures(): [string, Figure][] {
  const made = {
    scatter: scatterFigure(input, "C", "loss").figure,
    contour: contourFigure(input, "C", "depth", "loss").figure,
    parallel: parallelFigure(input, ["C", "depth", "solver"], ["loss"]).figure,
  };
  return Object.entries(made).map(([name, figure]) => {
    if (!figure) throw new Error(`no ${name} figure`);
    return [name, figure];
  });
}

describe("the partial Plotly build", () => {
  it.each(figures())("accepts the %s figure as built by plots.ts", (_name, figure) => {
    // Layout keys of other plot kinds (plot_bgcolor on parcoords) are ignored by Plotly: only
    // the traces matter here.
    const errors = (Plotly.validate(figure.data, figure.layout) ?? []).filter((e) => e.container === "data");
    expect(errors.map((e) => e.msg)).toEqual([]);
  });

  it("lists every trace type the figures use", () => {
    const used = new Set(figures().flatMap(([, figure]) => figure.data.map((trace) => trace.type)));
    expect([...used].sort()).toEqual([...TRACE_TYPES].sort());
  });

  it("rejects a trace type it does not hold (so the check above means something)", () => {
    const errors = Plotly.validate([{ type: "bar", x: [1], y: [2] }], {}) ?? [];
    expect(errors.map((e) => [e.container, e.astr, e.code])).toContainEqual(["data", "type", "value"]);
  });
});
