import type { APIRequestContext } from "@playwright/test";

import { expectAccessible } from "./a11y";
import { createProject, deleteProjects, expect, graphql, shot, test } from "./support";

// The MLflow client prints "View run <name> at: <tracking_uri>/#/experiments/<e>/runs/<r>" and
// "View experiment at: <tracking_uri>/#/experiments/<e>". Opened in a browser, they land on the
// web app's run and experiment pages; the project page leads to its experiments.

const PROJECT = "runs-e2e";
const MLFLOW = `/projects/${PROJECT}/mlflow/api/2.0/mlflow`;
const ARTIFACTS = `/projects/${PROJECT}/mlflow/api/2.0/mlflow-artifacts/artifacts`;

async function ok(response: Awaited<ReturnType<APIRequestContext["post"]>>) {
  expect(response.ok(), await response.text()).toBe(true);
  return (await response.json()) as Record<string, unknown>;
}

async function logRun(
  mlflow: APIRequestContext,
  experimentId: string,
  name: string,
  params: Record<string, string>,
  loss: number[],
): Promise<string> {
  const created = await ok(
    await mlflow.post(`${MLFLOW}/runs/create`, {
      data: { experiment_id: experimentId, run_name: name, start_time: Date.now(), tags: [{ key: "mlflow.user", value: "mia" }] },
    }),
  );
  const runId = (created.run as { info: { run_id: string } }).info.run_id;
  await ok(
    await mlflow.post(`${MLFLOW}/runs/log-batch`, {
      data: {
        run_id: runId,
        params: Object.entries(params).map(([key, value]) => ({ key, value })),
        metrics: loss.map((value, step) => ({ key: "loss", value, step, timestamp: Date.now() })),
      },
    }),
  );
  await ok(await mlflow.post(`${MLFLOW}/runs/update`, { data: { run_id: runId, status: "FINISHED", end_time: Date.now() } }));
  return runId;
}

/** An API context that speaks to the project's MLflow API with a fresh token of the admin. */
async function mlflowClient(
  api: APIRequestContext,
  playwright: { request: { newContext: (options: object) => Promise<APIRequestContext> } },
  baseURL: string | undefined,
): Promise<APIRequestContext> {
  const token = await graphql<{ createPersonalAccessToken: { secret: string | null; errors: unknown[] } }>(
    api,
    "mutation($input: CreatePersonalAccessTokenInput!) { createPersonalAccessToken(input: $input) { secret errors { code message } } }",
    { input: { name: `runs-e2e-${Date.now()}`, scopes: ["API"] } },
  );
  expect(token.createPersonalAccessToken.errors).toEqual([]);
  return playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { Authorization: `Bearer ${token.createPersonalAccessToken.secret}` },
  });
}

test.afterEach(async ({ page }) => {
  await deleteProjects(page.request, [PROJECT]);
});

test("the run and experiment links the MLflow client prints open their pages", async ({ page, playwright, baseURL }, info) => {
  await createProject(page.request, PROJECT);
  const mlflow = await mlflowClient(page.request, playwright, baseURL);
  let experimentId = "";
  let runId = "";
  try {
    const experiment = await ok(await mlflow.post(`${MLFLOW}/experiments/create`, { data: { name: "churn-training" } }));
    experimentId = String(experiment.experiment_id);
    await logRun(mlflow, experimentId, "baseline", { C: "1.0" }, [0.9, 0.8]);
    runId = await logRun(mlflow, experimentId, "tuned", { C: "0.5", solver: "lbfgs" }, [0.9, 0.6, 0.41]);
    const root = `${experimentId}/${runId}/artifacts`;
    await ok(await mlflow.put(`${ARTIFACTS}/${root}/model/MLmodel`, { data: Buffer.from("flavors: {}\n") }));
    await ok(await mlflow.post(`${MLFLOW}/registered-models/create`, { data: { name: "churn" } }));
    await ok(
      await mlflow.post(`${MLFLOW}/model-versions/create`, {
        data: { name: "churn", source: `runs:/${runId}/model`, run_id: runId },
      }),
    );
    // The tracking URI itself stays the MLflow API for the client.
    const api404 = await mlflow.get(`/projects/${PROJECT}/mlflow/`);
    expect(api404.headers()["content-type"]).toContain("application/json");
  } finally {
    await mlflow.dispose();
  }

  // "View run tuned at: …/projects/runs-e2e/mlflow/#/experiments/<e>/runs/<r>"
  await page.goto(`/projects/${PROJECT}/mlflow/#/experiments/${experimentId}/runs/${runId}`);
  await expect(page).toHaveURL(new RegExp(`/projects/${PROJECT}/runs/${runId}$`));
  await expect(page.getByRole("heading", { name: "tuned", level: 1 })).toBeVisible();
  const params = page.getByRole("table", { name: "Parameters" });
  await expect(params.getByRole("row").filter({ hasText: "solver" })).toContainText("lbfgs");
  await expect(params.getByRole("row").filter({ hasText: "C" }).first()).toContainText("0.5");
  const metrics = page.getByRole("table", { name: "Metrics" });
  await expect(metrics.getByRole("row").filter({ hasText: "loss" }).first()).toContainText("0.41");
  await metrics.getByRole("button", { name: "Show history of loss" }).click();
  await expect(page.getByRole("table", { name: "History of loss" }).getByRole("row")).toHaveCount(4);
  await expect(page.getByRole("img", { name: /loss over steps 0 to 2/ })).toBeVisible();
  await expect(page.getByRole("table", { name: "Logged files" })).toContainText("model/MLmodel");
  const registered = page.getByRole("table", { name: "Registered model versions" });
  await expect(registered.getByRole("link", { name: "churn" })).toBeVisible();
  await shot(page, info, "runs-01-run-page");
  await expectAccessible(page, "run page");
  await registered.getByRole("link", { name: "1.0.0" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${PROJECT}/models/churn/versions/1\\.0\\.0$`));
  // …and the version's Run section leads back to the run.
  await page.getByRole("region", { name: "Run" }).getByRole("link", { name: "tuned" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${PROJECT}/runs/${runId}$`));

  // The experiment, from the run page and from "View experiment at: …/#/experiments/<e>".
  await page.getByRole("link", { name: "churn-training" }).first().click();
  await expect(page).toHaveURL(new RegExp(`/projects/${PROJECT}/experiments/${experimentId}$`));
  await page.goto(`/projects/${PROJECT}/mlflow#/experiments/${experimentId}`);
  await expect(page).toHaveURL(new RegExp(`/projects/${PROJECT}/experiments/${experimentId}$`));
  await expect(page.getByRole("heading", { name: "churn-training", level: 1 })).toBeVisible();
  const runs = page.getByRole("table", { name: "Runs" });
  await expect(runs.getByRole("row")).toHaveCount(3);
  await expect(runs.getByRole("row").nth(1)).toContainText("tuned"); // newest first
  await expect(runs.getByRole("row").nth(1)).toContainText("0.41"); // the loss column
  await expect(runs.getByRole("row").nth(2)).toContainText("baseline");
  await expect(page.getByText("2 runs")).toBeVisible();
  await shot(page, info, "runs-02-experiment-page");
  await expectAccessible(page, "experiment page");

  // From the project page: Experiments, then the experiment.
  await page.goto(`/projects/${PROJECT}`);
  await page.getByRole("link", { name: "Experiments" }).click();
  const experiments = page.getByRole("table", { name: "Experiments" });
  await expect(experiments.getByRole("row").filter({ hasText: "churn-training" })).toContainText("2");
  await expectAccessible(page, "experiments page");
  await experiments.getByRole("link", { name: "churn-training" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${PROJECT}/experiments/${experimentId}$`));
});

test("a run's page follows the run while it trains", async ({ page, playwright, baseURL }) => {
  await createProject(page.request, PROJECT);
  const mlflow = await mlflowClient(page.request, playwright, baseURL);
  try {
    const experiment = await ok(await mlflow.post(`${MLFLOW}/experiments/create`, { data: { name: "live-training" } }));
    const created = await ok(
      await mlflow.post(`${MLFLOW}/runs/create`, {
        data: { experiment_id: String(experiment.experiment_id), run_name: "training", start_time: Date.now() },
      }),
    );
    const runId = (created.run as { info: { run_id: string } }).info.run_id;
    await page.goto(`/projects/${PROJECT}/runs/${runId}`);
    await expect(page.getByRole("heading", { name: "training", level: 1 })).toBeVisible();
    await expect(page.getByText("running", { exact: true }).first()).toBeVisible();

    // A metric logged while the run is running shows without a reload (metrics make no event:
    // the page of a running run polls every 10 s).
    await ok(
      await mlflow.post(`${MLFLOW}/runs/log-metric`, {
        data: { run_id: runId, key: "accuracy", value: 0.875, step: 1, timestamp: Date.now() },
      }),
    );
    const metrics = page.getByRole("table", { name: "Metrics" });
    await expect(metrics.getByRole("row").filter({ hasText: "accuracy" })).toContainText("0.875", { timeout: 15_000 });

    // The run ending is an event: the page shows it at once, not at the next poll.
    await ok(await mlflow.post(`${MLFLOW}/runs/update`, { data: { run_id: runId, status: "FINISHED", end_time: Date.now() } }));
    await expect(page.getByText("finished", { exact: true }).first()).toBeVisible({ timeout: 3_000 });
  } finally {
    await mlflow.dispose();
  }
});
