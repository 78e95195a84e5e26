/**
 * The links the MLflow client prints point at MLflow's own UI, by URL fragment:
 * `<tracking_uri>/#/experiments/<id>/runs/<run>`, `<tracking_uri>/#/experiments/<id>`, and for
 * registered models `#/models/<name>` and `#/models/<name>/versions/<number>` (Databricks writes
 * `#mlflow/models/…`). With the tracking URI `http://host/projects/<p>/mlflow` they open the web
 * app at `/projects/<p>/mlflow/#…`; this reads where they were meant to go.
 */

const enc = encodeURIComponent;

export type MlflowLinkTarget =
  | { kind: "run"; experimentId: string; runId: string }
  | { kind: "experiment"; experimentId: string }
  | { kind: "model"; name: string }
  | { kind: "version"; name: string; number: number }
  | { kind: "unknown" };

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Where an MLflow UI fragment (`#/experiments/1/runs/abc?workspace=x`) leads. */
export function parseMlflowHash(hash: string): MlflowLinkTarget {
  let path = hash.replace(/^#/, "").split("?")[0]!.replace(/^\/+/, "");
  if (path.startsWith("mlflow/")) path = path.slice("mlflow/".length);
  const raw = path.split("/").filter((s) => s !== "");
  const parts = raw.map(decode);
  if (parts.some((p) => p === null || p === "")) return { kind: "unknown" };
  const [head, a, b, c] = parts as string[];
  if (head === "experiments" && a) {
    if (b === "runs" && c) return { kind: "run", experimentId: a, runId: c };
    return { kind: "experiment", experimentId: a };
  }
  if (head === "models" && a) {
    if (b === "versions" && c !== undefined) {
      return /^[1-9][0-9]{0,9}$/.test(c) ? { kind: "version", name: a, number: Number(c) } : { kind: "model", name: a };
    }
    return { kind: "model", name: a };
  }
  return { kind: "unknown" };
}

/** The web app's pages of a project's experiments and runs. */
export const runUrls = {
  experiments: (project: string) => `/projects/${enc(project)}/experiments`,
  experiment: (project: string, experimentId: string) =>
    `/projects/${enc(project)}/experiments/${enc(experimentId)}`,
  run: (project: string, runId: string) => `/projects/${enc(project)}/runs/${enc(runId)}`,
};
