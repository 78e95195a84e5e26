import type { Data, Layout } from "plotly.js";

/**
 * Plots of compared versions' parameters against their metrics, as Plotly figures: plain data,
 * built here and tested without a browser; `lib/plotly.ts` only hands them to Plotly.
 *
 * Parameters are strings: one whose every value reads as a number is plotted as numbers, any
 * other as categories (sorted, so the same values always land in the same place).
 */

export interface Figure {
  data: Data[];
  layout: Partial<Layout>;
}

export interface PlotResult {
  figure: Figure | null;
  /** Why nothing can be drawn (too few versions with values, nothing chosen). */
  problem: string | null;
  /** Versions left out because they lack one of the chosen values, with why. */
  omitted: string[];
}

export interface ParamRow {
  key: string;
  values: readonly (string | null | undefined)[];
}

export interface MetricRow {
  key: string;
  latest: readonly (number | null | undefined)[];
}

export interface PlotInput {
  versions: readonly string[];
  params: readonly ParamRow[];
  metrics: readonly MetricRow[];
}

/** A string that is a finite number as written: `0.1`, `-3`, `1e-4`; not `''`, `0x10`, `NaN`. */
export function isNumeric(text: string): boolean {
  const t = text.trim();
  if (t === "" || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return false;
  return Number.isFinite(Number(t));
}

/** Numeric when every value present is a number (and one is present). */
export function isNumericParam(param: ParamRow): boolean {
  const present = param.values.filter((v): v is string => v != null);
  return present.length > 0 && present.every(isNumeric);
}

/** The default picks: the first numeric parameter (else the first), the next one, the first metric. */
export function defaultPicks(input: PlotInput): {
  param: string | null;
  param2: string | null;
  metric: string | null;
  params: string[];
  metrics: string[];
} {
  const numeric = input.params.filter(isNumericParam).map((p) => p.key);
  const others = input.params.filter((p) => !isNumericParam(p)).map((p) => p.key);
  const ordered = [...numeric, ...others];
  return {
    param: ordered[0] ?? null,
    param2: ordered[1] ?? null,
    metric: input.metrics[0]?.key ?? null,
    params: ordered.slice(0, 5),
    metrics: input.metrics.slice(0, 2).map((m) => m.key),
  };
}

/** One axis: the values per version (null where missing), and for categories the tick labels. */
export interface Axis {
  label: string;
  numeric: boolean;
  /** Per version: the number (for categories, the category's index), or null. */
  values: (number | null)[];
  /** Per version: the value as written, or null. */
  raw: (string | null)[];
  /** Categories, sorted; empty for numbers. */
  categories: string[];
}

export function paramAxis(param: ParamRow): Axis {
  const raw = param.values.map((v) => v ?? null);
  if (isNumericParam(param)) {
    return { label: param.key, numeric: true, values: raw.map((v) => (v === null ? null : Number(v))), raw, categories: [] };
  }
  const categories = [...new Set(raw.filter((v): v is string => v !== null))].sort();
  return {
    label: param.key,
    numeric: false,
    values: raw.map((v) => (v === null ? null : categories.indexOf(v))),
    raw,
    categories,
  };
}

export function metricAxis(metric: MetricRow): Axis {
  const values = metric.latest.map((v) => (v == null || !Number.isFinite(v) ? null : v));
  return { label: metric.key, numeric: true, values, raw: values.map((v) => (v === null ? null : String(v))), categories: [] };
}

function findParam(input: PlotInput, key: string | null): ParamRow | undefined {
  return key === null ? undefined : input.params.find((p) => p.key === key);
}

function findMetric(input: PlotInput, key: string | null): MetricRow | undefined {
  return key === null ? undefined : input.metrics.find((m) => m.key === key);
}

/** The versions (by index) with a value on every axis; the others, with what they lack. */
function complete(versions: readonly string[], axes: readonly Axis[]): { kept: number[]; omitted: string[] } {
  const kept: number[] = [];
  const omitted: string[] = [];
  versions.forEach((version, i) => {
    const missing = axes.filter((a) => a.values[i] === null || a.values[i] === undefined).map((a) => a.label);
    if (missing.length === 0) kept.push(i);
    else omitted.push(`${version} (no ${[...new Set(missing)].join(", ")})`);
  });
  return { kept, omitted };
}

/** Layout of an axis: numbers as they are, categories at their index with their names as ticks. */
function axisLayout(axis: Axis): Partial<Layout["xaxis"]> {
  if (axis.numeric) return { title: { text: axis.label }, type: "linear", zeroline: false };
  return {
    title: { text: axis.label },
    type: "linear",
    tickmode: "array",
    tickvals: axis.categories.map((_, i) => i),
    ticktext: axis.categories,
    range: [-0.5, axis.categories.length - 0.5],
    zeroline: false,
  };
}

const BASE_LAYOUT: Partial<Layout> = {
  margin: { l: 64, r: 24, t: 32, b: 56 },
  autosize: true,
  height: 380,
  hovermode: "closest",
  paper_bgcolor: "rgba(0,0,0,0)",
  plot_bgcolor: "rgba(0,0,0,0)",
};

function nothing(problem: string, omitted: string[] = []): PlotResult {
  return { figure: null, problem, omitted };
}

/** One parameter against one metric: a point per version, labelled with its number. */
export function scatterFigure(input: PlotInput, paramKey: string | null, metricKey: string | null): PlotResult {
  const param = findParam(input, paramKey);
  const metric = findMetric(input, metricKey);
  if (!param || !metric) return nothing("Choose a parameter and a metric.");
  const x = paramAxis(param);
  const y = metricAxis(metric);
  const { kept, omitted } = complete(input.versions, [x, y]);
  if (kept.length === 0) return nothing(`No version has both ${param.key} and ${metric.key}.`, omitted);
  const data: Data[] = [
    {
      type: "scatter",
      mode: "text+markers",
      x: kept.map((i) => x.values[i]!),
      y: kept.map((i) => y.values[i]!),
      text: kept.map((i) => input.versions[i]!),
      textposition: "top center",
      marker: { size: 11 },
      hovertemplate: kept.map(
        (i) => `${input.versions[i]}<br>${x.label} = ${x.raw[i]}<br>${y.label} = ${y.raw[i]}<extra></extra>`,
      ),
      name: metric.key,
    },
  ];
  return {
    figure: { data, layout: { ...BASE_LAYOUT, xaxis: axisLayout(x), yaxis: axisLayout(y), showlegend: false } },
    problem: null,
    omitted,
  };
}

/**
 * Two parameters against one metric: the metric's contour over the parameters' plane (Plotly
 * interpolates between the versions), with each version as a labelled point on top.
 */
export function contourFigure(
  input: PlotInput,
  paramKey: string | null,
  param2Key: string | null,
  metricKey: string | null,
): PlotResult {
  const p1 = findParam(input, paramKey);
  const p2 = findParam(input, param2Key);
  const metric = findMetric(input, metricKey);
  if (!p1 || !p2 || !metric) return nothing("Choose two parameters and a metric.");
  if (p1.key === p2.key) return nothing("Choose two different parameters.");
  const x = paramAxis(p1);
  const y = paramAxis(p2);
  const z = metricAxis(metric);
  const { kept, omitted } = complete(input.versions, [x, y, z]);
  const xs = kept.map((i) => x.values[i]!);
  const ys = kept.map((i) => y.values[i]!);
  const zs = kept.map((i) => z.values[i]!);
  const distinct = new Set(xs.map((xv, j) => `${xv},${ys[j]}`)).size;
  if (kept.length < 3 || distinct < 3 || new Set(xs).size < 2 || new Set(ys).size < 2) {
    return nothing(
      `A contour needs at least three versions with ${p1.key}, ${p2.key} and ${metric.key}, spread over both parameters.`,
      omitted,
    );
  }
  const data: Data[] = [
    {
      type: "contour",
      x: xs,
      y: ys,
      z: zs,
      colorscale: "Viridis",
      connectgaps: true,
      contours: { coloring: "heatmap", showlabels: true },
      colorbar: { title: { text: metric.key } },
      hoverinfo: "skip",
      name: metric.key,
    },
    {
      type: "scatter",
      mode: "text+markers",
      x: xs,
      y: ys,
      text: kept.map((i) => input.versions[i]!),
      textposition: "top center",
      marker: { size: 10, color: "white", line: { color: "black", width: 1 } },
      hovertemplate: kept.map(
        (i) =>
          `${input.versions[i]}<br>${x.label} = ${x.raw[i]}<br>${y.label} = ${y.raw[i]}<br>${z.label} = ${z.raw[i]}<extra></extra>`,
      ),
      showlegend: false,
    },
  ];
  return {
    figure: { data, layout: { ...BASE_LAYOUT, xaxis: axisLayout(x), yaxis: axisLayout(y), showlegend: false } },
    problem: null,
    omitted,
  };
}

/**
 * Several parameters and metrics as parallel axes, one line per version, coloured by the first
 * metric chosen. Categorical parameters get their categories as ticks.
 */
export function parallelFigure(
  input: PlotInput,
  paramKeys: readonly string[],
  metricKeys: readonly string[],
): PlotResult {
  const params = paramKeys.map((k) => findParam(input, k)).filter((p): p is ParamRow => p !== undefined);
  const metrics = metricKeys.map((k) => findMetric(input, k)).filter((m): m is MetricRow => m !== undefined);
  if (params.length + metrics.length < 2) return nothing("Choose at least two parameters or metrics.");
  const axes = [...params.map(paramAxis), ...metrics.map(metricAxis)];
  const { kept, omitted } = complete(input.versions, axes);
  if (kept.length === 0) return nothing("No version has a value for every chosen axis.", omitted);
  const dimensions = axes.map((axis) => {
    const values = kept.map((i) => axis.values[i]!);
    if (axis.numeric) return { label: axis.label, values };
    return {
      label: axis.label,
      values,
      tickvals: axis.categories.map((_, i) => i),
      ticktext: axis.categories,
      range: [0, Math.max(axis.categories.length - 1, 1)],
    };
  });
  const colorAxis = metrics.length > 0 ? metricAxis(metrics[0]!) : axes[0]!;
  const color = kept.map((i) => colorAxis.values[i]!);
  const data: Data[] = [
    {
      type: "parcoords",
      dimensions,
      line: {
        color,
        colorscale: "Viridis",
        showscale: true,
        colorbar: { title: { text: colorAxis.label } },
      },
      // Plotly's parcoords shows no text per line: the version order is in the description.
      name: kept.map((i) => input.versions[i]!).join(", "),
    } as Data,
  ];
  return {
    figure: { data, layout: { ...BASE_LAYOUT, margin: { l: 72, r: 72, t: 56, b: 32 } } },
    problem: null,
    omitted,
  };
}
