/**
 * MLflow: the tracking URI of a project, the snippets the app shows for logging and loading
 * models, and the geometry of the small metric chart. Pure functions, so they are unit tested.
 */

/** The MLflow tracking URI of a project: the registry's origin + `/projects/<path>/mlflow`. */
export function trackingUri(origin: string, projectPath: string): string {
  return `${origin.replace(/\/+$/, "")}/projects/${encodeURIComponent(projectPath)}/mlflow`;
}

/** The two environment variables every MLflow client needs to talk to a project. */
export function envLines(uri: string): string {
  return [`export MLFLOW_TRACKING_URI=${uri}`, "export MLFLOW_TRACKING_TOKEN=<your token>"].join("\n");
}

/** A Python string literal (double quotes), for names typed by users. */
export function pyString(text: string): string {
  return JSON.stringify(text);
}

/** Logging a scikit-learn model from a run and registering it as a new version of `modelName`. */
export function logModelSnippet(modelName: string): string {
  return [
    "import mlflow",
    "",
    "# model = ...  # your trained scikit-learn model",
    "with mlflow.start_run():",
    '    mlflow.log_param("alpha", 0.5)',
    '    mlflow.log_metric("accuracy", 0.93)',
    `    mlflow.sklearn.log_model(model, name="model", registered_model_name=${pyString(modelName)})`,
  ].join("\n");
}

export interface ModelUri {
  /** What the URI points at, for people: "Version #3", "SemVer 1.2.0", "Alias champion". */
  label: string;
  uri: string;
}

/** The `models:/` URIs that load one version: by number, by SemVer and by each alias. */
export function modelUris(model: string, number: number, version: string, aliases: readonly string[]): ModelUri[] {
  const uris: ModelUri[] = [
    { label: `Version #${number}`, uri: `models:/${model}/${number}` },
    { label: `SemVer ${version}`, uri: `models:/${model}@${version}` },
  ];
  // The SemVer travels as an alias too; list it once.
  for (const alias of aliases) {
    if (alias !== version) uris.push({ label: `Alias ${alias}`, uri: `models:/${model}@${alias}` });
  }
  return uris;
}

/** Python that loads a model by one of its `models:/` URIs. */
export function loadModelSnippet(uri: string): string {
  return ["import mlflow", "", `model = mlflow.pyfunc.load_model(${pyString(uri)})`].join("\n");
}

export interface ChartPoint {
  step: number;
  value: number | null;
}

export interface ChartGeometry {
  /** SVG path (`M x y L x y …`) through the points with a value, in step order. */
  path: string;
  /** The plotted points, in SVG coordinates. */
  dots: { x: number; y: number; step: number; value: number }[];
  minValue: number;
  maxValue: number;
  minStep: number;
  maxStep: number;
}

/**
 * Where each point of a metric's history goes in a `width` × `height` box with `pad` around it:
 * step on x, value on y (up is more). Null values (NaN, infinite) are left out; a single point,
 * or all points on one step or one value, sit in the middle of that axis. Null when nothing has
 * a value.
 */
export function chartGeometry(
  points: readonly ChartPoint[],
  width: number,
  height: number,
  pad: number,
): ChartGeometry | null {
  const valued = points
    .filter((p): p is { step: number; value: number } => p.value !== null && Number.isFinite(p.value))
    .slice()
    .sort((a, b) => a.step - b.step);
  if (valued.length === 0) return null;
  const values = valued.map((p) => p.value);
  const steps = valued.map((p) => p.step);
  const minValue = Math.min(...values);
  const maxValue = Math.max(...values);
  const minStep = Math.min(...steps);
  const maxStep = Math.max(...steps);
  const innerW = width - 2 * pad;
  const innerH = height - 2 * pad;
  const x = (step: number) =>
    maxStep === minStep ? pad + innerW / 2 : pad + ((step - minStep) / (maxStep - minStep)) * innerW;
  const y = (value: number) =>
    maxValue === minValue ? pad + innerH / 2 : pad + (1 - (value - minValue) / (maxValue - minValue)) * innerH;
  const round = (n: number) => Math.round(n * 100) / 100;
  const dots = valued.map((p) => ({ x: round(x(p.step)), y: round(y(p.value)), step: p.step, value: p.value }));
  const path = dots.map((d, i) => `${i === 0 ? "M" : "L"} ${d.x} ${d.y}`).join(" ");
  return { path, dots, minValue, maxValue, minStep, maxStep };
}

/** A metric value for tables and axis labels: up to 6 significant digits, "—" for null. */
export function formatMetric(value: number | null): string {
  if (value === null) return "—";
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
