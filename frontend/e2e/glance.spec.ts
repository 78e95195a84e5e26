import { createModel, createProject, createVersion, deleteProjects, expect, graphql, shot, test } from "./support";

// Issue 17 items 2 and 4: which version is where at a glance (version header, model header,
// models table), and a place that survives reload (the models table's page, the compare page's
// version picker).

const PROJECT = "glance-e2e";

// registry.spec.ts starts from an empty registry: remove what we made.
test.afterEach(async ({ page }) => {
  await deleteProjects(page.request, [PROJECT]);
});

interface Errors {
  errors: { message: string }[];
}

test("stages at a glance: version header, model header and models table after a promotion", async ({ page }, info) => {
  const api = page.request;
  const projectId = await createProject(api, PROJECT);
  const modelId = await createModel(api, projectId, "churn");
  await createVersion(api, modelId, "1.4.0");
  const rc = await createVersion(api, modelId, "1.5.0-rc.1");
  const staged = await graphql<{ transitionStage: Errors }>(
    api,
    "mutation($input: TransitionStageInput!) { transitionStage(input: $input) { errors { message } } }",
    { input: { versionId: rc, stage: "STAGING" } },
  );
  expect(staged.transitionStage.errors).toEqual([]);

  // Promote 1.4.0 to Production on its page: the header shows the new stage.
  await page.goto(`/projects/${PROJECT}/models/churn/versions/1.4.0`);
  const place = page.getByTestId("version-place");
  await expect(place.getByTestId("stage-badge")).toHaveText("None");
  await page.getByRole("region", { name: "Lifecycle" }).getByRole("button", { name: "Change stage" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("combobox", { name: "Target stage" }).click();
  await page.getByRole("option", { name: "Production" }).click();
  await dialog.getByRole("button", { name: "Transition" }).click();
  await expect(dialog).toBeHidden();
  await expect(place.getByTestId("stage-badge")).toHaveText("Production");

  const alias = await graphql<{ setAlias: Errors }>(
    api,
    "mutation($input: SetAliasInput!) { setAlias(input: $input) { errors { message } } }",
    { input: { versionId: rc, alias: "challenger" } },
  );
  expect(alias.setAlias.errors).toEqual([]);

  // The model header: "Production: 1.4.0 · Staging: 1.5.0-rc.1", each a link, and the alias.
  await page.goto(`/projects/${PROJECT}/models/churn`);
  const summary = page.getByTestId("stage-summary");
  await expect(summary).toHaveText("Production: 1.4.0 · Staging: 1.5.0-rc.1");
  await expect(page.getByTestId("alias-summary")).toContainText("@challenger → 1.5.0-rc.1");
  await shot(page, info, "glance-01-model-header");
  await summary.getByRole("link", { name: "1.5.0-rc.1" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${PROJECT}/models/churn/versions/1.5.0-rc.1$`));
  await expect(page.getByTestId("version-place")).toContainText("Staging");
  await expect(page.getByTestId("version-place")).toContainText("@challenger");

  // The models table: a Production and a Staging column.
  await page.goto(`/projects/${PROJECT}`);
  const row = page.getByRole("table", { name: "Models" }).getByRole("row").filter({ hasText: "churn" });
  await expect(row.getByTestId("stage-cell-production")).toHaveText("1.4.0");
  await expect(row.getByTestId("stage-cell-staging")).toHaveText("1.5.0-rc.1");
  await shot(page, info, "glance-02-models-table");
});

test("the models table keeps its page through reload and back", async ({ page }) => {
  const api = page.request;
  const projectId = await createProject(api, PROJECT);
  for (let i = 0; i < 25; i++) await createModel(api, projectId, `m${String(i).padStart(2, "0")}`);

  await page.goto(`/projects/${PROJECT}?sort=name`);
  const position = page.getByTestId("page-position");
  await expect(position).toHaveText("Page 1 of 2 · 25 models");
  await page.getByRole("button", { name: "Page 2" }).click();
  await expect(page).toHaveURL(/[?&]page=2/);
  await expect(position).toHaveText("Page 2 of 2 · 25 models");
  const table = page.getByRole("table", { name: "Models" });
  await expect(table.getByRole("link", { name: "m20" })).toBeVisible();
  await expect(table.getByRole("link", { name: "m00" })).toHaveCount(0);

  await page.reload();
  await expect(position).toHaveText("Page 2 of 2 · 25 models");
  await expect(table.getByRole("link", { name: "m24" })).toBeVisible();

  // Into a model and back: still page 2, still sorted by name.
  await table.getByRole("link", { name: "m21" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${PROJECT}/models/m21$`));
  await page.goBack();
  await expect(position).toHaveText("Page 2 of 2 · 25 models");
  await expect(page).toHaveURL(/sort=name/);

  // A page past the end (models deleted since the link was made) says so and leads back.
  await page.goto(`/projects/${PROJECT}?sort=name&page=9`);
  await expect(page.getByText("There is no page 9.")).toBeVisible();
  await page.getByRole("link", { name: "Go to page 1" }).click();
  await expect(position).toHaveText("Page 1 of 2 · 25 models");
  await expect(page).toHaveURL(/sort=name/);

  // A new filter starts again at page 1.
  await page.getByLabel("Search").fill("m1");
  await expect(position).toHaveText("Page 1 of 1 · 10 models");
  await expect(page).not.toHaveURL(/page=/);
});

test("the compare page offers a version picker on a bad version, and compares what is picked", async ({ page }, info) => {
  const api = page.request;
  const projectId = await createProject(api, PROJECT);
  const modelId = await createModel(api, projectId, "churn");
  for (const v of ["1.0.0", "1.1.0", "2.0.0"]) await createVersion(api, modelId, v);

  await page.goto(`/projects/${PROJECT}/models/churn/compare?versions=1.0.0,9.9.9`);
  const picker = page.getByRole("region", { name: "Choose versions" });
  await expect(picker.getByTestId("unknown-versions")).toContainText("churn has no version 9.9.9");
  await expect(picker.getByRole("button", { name: "Compare" })).toBeDisabled();
  await shot(page, info, "glance-03-compare-bad-version");

  await picker.getByRole("combobox", { name: "Versions to compare" }).click();
  await page.getByRole("option", { name: "2.0.0" }).click();
  await page.keyboard.press("Escape");
  await picker.getByRole("button", { name: "Compare" }).click();

  await expect(page).toHaveURL(/versions=1\.0\.0%2C2\.0\.0|versions=1\.0\.0,2\.0\.0/);
  const compared = page.getByTestId("compared-versions");
  await expect(compared.getByRole("link", { name: "1.0.0" })).toBeVisible();
  await expect(compared.getByRole("link", { name: "2.0.0" })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("compared-versions").getByRole("link", { name: "2.0.0" })).toBeVisible();
  await shot(page, info, "glance-04-compare-picked");
});
