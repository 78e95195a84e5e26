import type { APIRequestContext } from "@playwright/test";

import { createProject, deleteProjects, expect, graphql, shot, test } from "./support";

// Three versions of one model, registered from MLflow runs (so they have params and metrics) with
// different signatures, dependencies and files; the compare page shows the differences and plots
// them, and the SemVer guard flags 1.0.1: numbered as a patch, it adds a required input.

const PROJECT = "compare-e2e";
const MODEL = "churn";
const MLFLOW = `/projects/${PROJECT}/mlflow/api/2.0/mlflow`;
const ARTIFACTS = `/projects/${PROJECT}/mlflow/api/2.0/mlflow-artifacts/artifacts`;

interface Release {
  version: string;
  inputs: { name: string; type: string; required: boolean }[];
  outputs: { name: string; type: string }[];
  requirements: string[];
  params: Record<string, string>;
  /** Metric histories, a value per step. */
  metrics: Record<string, number[]>;
  weights: string;
}

const RELEASES: Release[] = [
  {
    version: "1.0.0",
    inputs: [
      { name: "age", type: "long", required: true },
      { name: "plan", type: "string", required: true },
    ],
    outputs: [{ name: "churn", type: "long" }],
    requirements: ["mlflow==3.1.0", "scikit-learn==1.4.0", "pandas==2.2.0"],
    params: { C: "0.5", max_iter: "100", solver: "lbfgs" },
    metrics: { accuracy: [0.71, 0.76, 0.8], loss: [0.9, 0.6, 0.5] },
    weights: "weights of 1.0.0",
  },
  {
    // A patch number, but a new required input: the guard wants 2.0.0.
    version: "1.0.1",
    inputs: [
      { name: "age", type: "long", required: true },
      { name: "plan", type: "string", required: true },
      { name: "tenure", type: "double", required: true },
    ],
    outputs: [{ name: "churn", type: "long" }],
    requirements: ["mlflow==3.1.0", "scikit-learn==1.5.2", "pandas==2.2.0"],
    params: { C: "1.0", max_iter: "200", solver: "lbfgs" },
    metrics: { accuracy: [0.74, 0.8, 0.84], loss: [0.8, 0.5, 0.42] },
    weights: "weights of 1.0.1",
  },
  {
    version: "2.0.0",
    inputs: [
      { name: "age", type: "long", required: true },
      { name: "plan", type: "string", required: true },
      { name: "tenure", type: "double", required: true },
      { name: "region", type: "string", required: false },
    ],
    outputs: [
      { name: "churn", type: "long" },
      { name: "probability", type: "double" },
    ],
    requirements: ["mlflow==3.1.0", "scikit-learn==1.5.2", "pandas==2.2.0", "numpy"],
    params: { C: "2.0", max_iter: "100", solver: "saga" },
    metrics: { accuracy: [0.8, 0.86, 0.88], loss: [0.7, 0.4, 0.35] },
    weights: "weights of 2.0.0",
  },
];

function mlmodel(release: Release, runId: string): string {
  const spec = JSON.stringify;
  return [
    "artifact_path: model",
    "flavors:",
    "  python_function:",
    "    env:",
    "      conda: conda.yaml",
    "      virtualenv: python_env.yaml",
    "    loader_module: mlflow.sklearn",
    "    model_path: model.pkl",
    "    predict_fn: predict",
    "    python_version: 3.12.3",
    "  sklearn:",
    "    pickled_model: model.pkl",
    "    serialization_format: cloudpickle",
    `    sklearn_version: ${release.requirements.find((r) => r.startsWith("scikit-learn"))!.split("==")[1]}`,
    "mlflow_version: 3.1.0",
    `run_id: ${runId}`,
    "signature:",
    `  inputs: '${spec(release.inputs.map((c) => ({ type: c.type, name: c.name, required: c.required })))}'`,
    `  outputs: '${spec(release.outputs.map((c) => ({ type: c.type, name: c.name, required: true })))}'`,
    "  params: null",
    "utc_time_created: '2026-01-01 00:00:00.000000'",
    "",
  ].join("\n");
}

async function ok(response: Awaited<ReturnType<APIRequestContext["post"]>>) {
  expect(response.ok(), `${response.url()}: ${await response.text()}`).toBe(true);
  const text = await response.text();
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}

/** A run with params and metric histories, the model's files as its artifacts, registered as `version`. */
async function register(mlflow: APIRequestContext, release: Release) {
  const created = await ok(
    await mlflow.post(`${MLFLOW}/runs/create`, {
      data: { experiment_id: "0", run_name: `train-${release.version}`, start_time: Date.now() },
    }),
  );
  const info = (created.run as { info: { run_id: string; artifact_uri: string } }).info;
  const runId = info.run_id;
  const now = Date.now();
  await ok(
    await mlflow.post(`${MLFLOW}/runs/log-batch`, {
      data: {
        run_id: runId,
        params: Object.entries(release.params).map(([key, value]) => ({ key, value })),
        metrics: Object.entries(release.metrics).flatMap(([key, values]) =>
          values.map((value, step) => ({ key, value, step, timestamp: now + step })),
        ),
      },
    }),
  );
  // mlflow-artifacts:/<experiment>/<run>/artifacts: the same path under the artifact proxy.
  const root = info.artifact_uri.replace(/^mlflow-artifacts:\/+/, "");
  expect(root).toContain(runId);
  const files: Record<string, string> = {
    MLmodel: mlmodel(release, runId),
    "requirements.txt": `${release.requirements.join("\n")}\n`,
    "python_env.yaml": "python: 3.12.3\nbuild_dependencies:\n  - pip\ndependencies:\n  - -r requirements.txt\n",
    "model.pkl": release.weights,
  };
  for (const [name, body] of Object.entries(files)) {
    await ok(await mlflow.put(`${ARTIFACTS}/${root}/model/${name}`, { data: Buffer.from(body) }));
  }
  await ok(
    await mlflow.post(`${MLFLOW}/runs/update`, { data: { run_id: runId, status: "FINISHED", end_time: Date.now() } }),
  );
  await ok(
    await mlflow.post(`${MLFLOW}/model-versions/create`, {
      data: {
        name: MODEL,
        source: `runs:/${runId}/model`,
        run_id: runId,
        tags: [{ key: "modelreg.version", value: release.version }],
      },
    }),
  );
}

test.afterEach(async ({ page }) => {
  await deleteProjects(page.request, [PROJECT]);
});

test("compare three versions: differences, plots, and the SemVer guard", async ({ page, playwright, baseURL }, info) => {
  test.setTimeout(120_000);
  const api = page.request;
  await createProject(api, PROJECT);
  const token = await graphql<{ createPersonalAccessToken: { secret: string | null; errors: unknown[] } }>(
    api,
    "mutation($input: CreatePersonalAccessTokenInput!) { createPersonalAccessToken(input: $input) { secret errors { code message } } }",
    { input: { name: `compare-e2e-${Date.now()}`, scopes: ["API"] } },
  );
  expect(token.createPersonalAccessToken.errors).toEqual([]);
  const mlflow = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { Authorization: `Bearer ${token.createPersonalAccessToken.secret}` },
  });
  try {
    await ok(await mlflow.post(`${MLFLOW}/registered-models/create`, { data: { name: MODEL } }));
    for (const release of RELEASES) await register(mlflow, release);
  } finally {
    await mlflow.dispose();
  }

  // Choose the three versions in the versions table and compare them.
  await page.goto(`/projects/${PROJECT}/models/${MODEL}?tab=versions`);
  await expect(page.getByTestId("version-row")).toHaveCount(3);
  await page.getByRole("checkbox", { name: "Select 2.0.0" }).check();
  await expect(page.getByText("Select at least one more version to compare.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Compare" })).toBeDisabled();
  await page.getByRole("checkbox", { name: "Select 1.0.1" }).check();
  await page.getByRole("checkbox", { name: "Select 1.0.0" }).check();
  await page.getByRole("link", { name: "Compare (3)" }).click();
  await expect(page).toHaveURL(/\/compare\?versions=1\.0\.0,1\.0\.1,2\.0\.0$/);

  const header = page.getByTestId("compared-versions");
  for (const v of ["1.0.0", "1.0.1", "2.0.0"]) await expect(header.getByRole("link", { name: v })).toBeVisible();
  await expect(header.getByText("Bump too small")).toBeVisible();

  // Schema: tenure is added in 1.0.1, region and probability in 2.0.0.
  const schema = page.getByRole("region", { name: "Schema" });
  const tenure = schema.getByTestId("compare-row").filter({ hasText: "tenure" });
  await expect(tenure).toHaveAttribute("data-status", "ADDED");
  await expect(tenure.locator("td[data-change]")).toHaveCount(3);
  await expect(tenure.locator("td[data-change]").nth(1)).toHaveAttribute("data-change", "added");
  await expect(schema.getByTestId("compare-row").filter({ hasText: "probability" })).toHaveAttribute(
    "data-status",
    "ADDED",
  );
  // Dependencies: scikit-learn moves from 1.4.0 to 1.5.2; numpy arrives unpinned.
  const deps = page.getByRole("region", { name: "Dependencies" });
  const sklearn = deps.getByTestId("compare-row").filter({ hasText: "scikit-learn" });
  await expect(sklearn).toHaveAttribute("data-status", "CHANGED");
  await expect(sklearn).toContainText("==1.5.2");
  // Files: the weights changed in every version, python_env.yaml did not.
  const files = page.getByRole("region", { name: "Files" });
  await expect(files.getByTestId("compare-row").filter({ hasText: "model.pkl" })).toHaveAttribute("data-status", "CHANGED");
  const sameFile = files.getByTestId("compare-row").filter({ hasText: "python_env.yaml" });
  await expect(sameFile).toHaveAttribute("data-status", "SAME");
  // Parameters and metrics from the runs.
  const params = page.getByRole("region", { name: "Parameters" });
  await expect(params.getByTestId("compare-row").filter({ hasText: "max_iter" })).toContainText("200");
  const metrics = page.getByRole("region", { name: "Metrics" });
  await metrics.getByRole("button", { name: "Show history of loss" }).click();
  await expect(metrics.getByTestId("history-loss").getByRole("img")).toHaveCount(3);
  await shot(page, info, "compare-01-all-rows");

  // Only the differences: unchanged rows go, in every section.
  // Toggled from the keyboard: the page header is fixed and may cover the switch for a pointer.
  const everywhere = page.getByRole("switch", { name: "Show differences only (all sections)" });
  await everywhere.focus();
  await page.keyboard.press("Space");
  await expect(everywhere).toBeChecked();
  await expect(page).toHaveURL(/diff=1/);
  await expect(sameFile).toHaveCount(0);
  await expect(tenure).toBeVisible();
  await expect(schema.getByTestId("compare-row").filter({ hasText: "age" })).toHaveCount(0);
  // A section's own switch brings its rows back.
  const filesSwitch = files.getByRole("switch", { name: "Show differences only" });
  await filesSwitch.focus();
  await page.keyboard.press("Space");
  await expect(filesSwitch).not.toBeChecked();
  await expect(sameFile).toBeVisible();

  // The plots, drawn by Plotly: scatter, contour, parallel coordinates.
  const plots = page.getByRole("region", { name: "Parameters against metrics" });
  await plots.scrollIntoViewIfNeeded();
  const figure = plots.getByTestId("plot");
  await expect(figure).toHaveAttribute("data-state", "drawn", { timeout: 30_000 });
  await expect(figure.locator("svg.main-svg").first()).toBeVisible();
  await expect(plots.locator(".js-plotly-plot")).toHaveCount(1);
  await expect(figure.locator(".scatterlayer .point")).toHaveCount(3);
  await figure.screenshot({ path: info.outputPath("compare-02-scatter.png") });

  await plots.getByRole("tab", { name: "Contour" }).click();
  await expect(figure).toHaveAttribute("data-state", "drawn", { timeout: 30_000 });
  await expect(figure.locator(".contourlayer, .contour").first()).toBeAttached();
  await figure.screenshot({ path: info.outputPath("compare-03-contour.png") });

  await plots.getByRole("tab", { name: "Parallel coordinates" }).click();
  await expect(figure).toHaveAttribute("data-state", "drawn", { timeout: 30_000 });
  await expect(figure.locator("svg.main-svg").first()).toBeVisible();
  // WebGL draws the lines; without it Plotly shows a notice instead.
  await expect(figure.locator(".gl-canvas").first()).toBeAttached();
  await expect(page.getByText(/WebGL is not supported/i)).toHaveCount(0);
  await expect(figure.locator(".parcoords .y-axis")).toHaveCount(5);
  await figure.screenshot({ path: info.outputPath("compare-04-parallel.png") });
  await shot(page, info, "compare-05-plots");

  // The version page of 1.0.1: the guard's warning, the signature and the dependencies.
  await header.getByRole("link", { name: "1.0.1" }).click();
  const compatibility = page.getByRole("region", { name: "Compatibility" });
  await expect(compatibility.getByTestId("verdict-badge")).toHaveAttribute("data-verdict", "TOO_SMALL");
  await expect(compatibility.getByTestId("guard-warning")).toBeVisible();
  await expect(compatibility.getByTestId("guard-warning")).toContainText("2.0.0");
  await expect(compatibility.getByRole("list", { name: "Reasons" })).toContainText("tenure");
  const signature = page.getByRole("region", { name: "Signature" });
  await expect(signature.getByRole("table", { name: "Inputs" })).toContainText("tenure");
  const dependencies = page.getByRole("region", { name: "Dependencies" });
  await expect(dependencies.getByTestId("package-row").filter({ hasText: "scikit-learn" })).toContainText("pinned");
  await shot(page, info, "compare-06-version-guard");

  // 2.0.0 lists numpy unpinned, with a warning.
  await page.goto(`/projects/${PROJECT}/models/${MODEL}/versions/2.0.0`);
  const deps2 = page.getByRole("region", { name: "Dependencies" });
  await expect(deps2.getByTestId("package-row").filter({ hasText: "numpy" })).toContainText("unpinned");
  await expect(deps2.getByTestId("metadata-warnings")).toContainText("numpy");
});
