import { expectAccessible, expectNoHorizontalOverflow } from "./a11y";
import { createModel, createProject, createVersion, deleteProjects, expect, graphql, shot, test } from "./support";

// Deployment records (issue 20): what `modelreg serve-model` reports through recordDeployment
// shows on the version page's Serve section and in its activity; the commands shown are right.

interface Errors {
  errors: { code: string; message: string }[];
}

const RECORD =
  "mutation($input: RecordDeploymentInput!) { recordDeployment(input: $input) { deployment { id state } errors { code message } } }";

test.afterEach(async ({ page }) => {
  await deleteProjects(page.request, ["serving-e2e"]);
});

test("a recorded deployment shows on the version page and in its activity", async ({ page }, info) => {
  const api = page.request;
  const projectId = await createProject(api, "serving-e2e");
  const modelId = await createModel(api, projectId, "detector");
  const versionId = await createVersion(api, modelId, "1.2.0");
  const alias = await graphql<{ setAlias: Errors }>(
    api,
    "mutation($input: SetAliasInput!) { setAlias(input: $input) { errors { code message } } }",
    { input: { versionId, alias: "champion" } },
  );
  expect(alias.setAlias.errors).toEqual([]);
  const report = (state: string, instance: string, endpoint: string) =>
    graphql<{ recordDeployment: Errors }>(api, RECORD, {
      input: { versionId, state, endpoint, instance, reference: "serving-e2e/detector@champion", role: "primary" },
    });
  // One server that stopped, one still serving.
  const gone = "a".repeat(32);
  for (const [state, instance, endpoint] of [
    ["STARTED", gone, "http://127.0.0.1:18401"],
    ["STOPPED", gone, "http://127.0.0.1:18401"],
    ["STARTED", "b".repeat(32), "http://127.0.0.1:18402"],
  ] as const) {
    expect((await report(state, instance, endpoint)).recordDeployment.errors).toEqual([]);
  }

  await page.goto("/projects/serving-e2e/models/detector/versions/1.2.0");
  const serve = page.getByRole("region", { name: "Serve" });
  await expect(serve.getByLabel("install command", { exact: true })).toHaveText("pip install 'modelreg[serving]'");
  await expect(serve.getByLabel("serve command for @1.2.0", { exact: true })).toHaveText(
    "modelreg serve-model serving-e2e/detector@1.2.0 --port 5001",
  );
  await expect(serve.getByLabel("serve command for @champion", { exact: true })).toHaveText(
    "modelreg serve-model serving-e2e/detector@champion --port 5001",
  );
  await expect(serve.getByText(/records itself below/)).toBeVisible();
  // Active first, then the stopped one.
  const rows = serve.getByRole("table", { name: "Deployments" }).getByRole("row");
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText("active");
  await expect(rows.nth(1)).toContainText("http://127.0.0.1:18402");
  await expect(rows.nth(1)).toContainText("admin");
  await expect(rows.nth(2)).toContainText("stopped");
  await expect(rows.nth(2)).toContainText("http://127.0.0.1:18401");

  const feed = page.getByRole("feed", { name: "Version activity" });
  await expect(feed).toContainText("admin started serving 1.2.0 at http://127.0.0.1:18402 (following @champion)");
  await expect(feed).toContainText("admin stopped serving 1.2.0 at http://127.0.0.1:18401");
  await serve.scrollIntoViewIfNeeded();
  await shot(page, info, "serving-01-version-page");
  await expectAccessible(page, "version page with deployments");
  // On a phone the deployments table scrolls inside its section, not the page.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(serve.getByRole("table", { name: "Deployments" })).toBeVisible();
  await expectNoHorizontalOverflow(page, "version page with deployments on a phone");
});
