import { expect, type APIRequestContext, type Page, test, type TestInfo } from "@playwright/test";

// The lifecycle story with two people: alice requests Production for 2.0.0, bob approves it with
// "archive other versions"; alice's open page follows without a reload (GraphQL subscription).
async function shot(page: Page, info: TestInfo, name: string) {
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}

async function graphql<T>(request: APIRequestContext, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await request.post("/graphql", { data: { query, variables } });
  expect(response.ok()).toBe(true);
  const body = (await response.json()) as { data: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

interface Errors {
  errors: { message: string }[];
}

// registry.spec.ts starts from an empty registry: remove what we made.
const createdProjects: string[] = [];
test.afterEach(async ({ request }) => {
  for (const id of createdProjects.splice(0)) {
    await graphql(
      request,
      "mutation($input: DeleteProjectInput!) { deleteProject(input: $input) { deletedId errors { message } } }",
      { input: { id } },
    );
  }
});

test("request a transition as alice, approve it as bob, see it live", async ({ browser }, info) => {
  const alice = await browser.newContext({ extraHTTPHeaders: { "X-Modelreg-Test-Actor": "alice" } });
  const bob = await browser.newContext({ extraHTTPHeaders: { "X-Modelreg-Test-Actor": "bob" } });
  const alicePage = await alice.newPage();
  const bobPage = await bob.newPage();
  try {
    // Setup through the API, as bob.
    const api = bobPage.request;
    const p = await graphql<{ createProject: { project: { id: string } } & Errors }>(
      api,
      "mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id } errors { message } } }",
      { input: { path: "lifecycle-e2e", name: "lifecycle-e2e" } },
    );
    createdProjects.push(p.createProject.project.id);
    const m = await graphql<{ createModel: { model: { id: string } } }>(
      api,
      "mutation($input: CreateModelInput!) { createModel(input: $input) { model { id } errors { message } } }",
      { input: { projectId: p.createProject.project.id, name: "churn" } },
    );
    const versionIds: string[] = [];
    for (const version of ["1.0.0", "2.0.0"]) {
      const v = await graphql<{ createVersion: { modelVersion: { id: string } } }>(
        api,
        "mutation($input: CreateVersionInput!) { createVersion(input: $input) { modelVersion { id } errors { message } } }",
        { input: { modelId: m.createModel.model.id, version } },
      );
      versionIds.push(v.createVersion.modelVersion.id);
    }
    const t = await graphql<{ transitionStage: Errors }>(
      api,
      "mutation($input: TransitionStageInput!) { transitionStage(input: $input) { modelVersion { stage } errors { message } } }",
      { input: { versionId: versionIds[0], stage: "PRODUCTION" } },
    );
    expect(t.transitionStage.errors).toEqual([]);

    const url = "/projects/lifecycle-e2e/models/churn/versions/2.0.0";
    // Alice asks for Production.
    await alicePage.goto(url);
    const aliceLifecycle = alicePage.getByRole("region", { name: "Lifecycle" });
    await expect(aliceLifecycle.getByTestId("stage-badge").first()).toHaveText("None");
    await aliceLifecycle.getByRole("button", { name: "Request transition" }).click();
    const dialog = alicePage.getByRole("dialog");
    await expect(dialog.getByRole("combobox", { name: "Target stage" })).toHaveValue("Production");
    await dialog.getByLabel("Comment").fill("Beats 1.0.0 on **every** metric.");
    await dialog.getByRole("button", { name: "Request transition" }).click();
    await expect(dialog).toBeHidden();
    const aliceRequest = aliceLifecycle.getByTestId("transition-request");
    await expect(aliceRequest).toContainText("alice");
    await expect(aliceRequest).toContainText("Production");
    await expect(aliceRequest.getByRole("button", { name: "Cancel" })).toBeVisible();
    await shot(alicePage, info, "lifecycle-01-alice-requested");

    // Bob sees the request and approves it, archiving the other Production version.
    await bobPage.goto(url);
    const bobLifecycle = bobPage.getByRole("region", { name: "Lifecycle" });
    const bobRequest = bobLifecycle.getByTestId("transition-request");
    await expect(bobRequest).toContainText("alice");
    await expect(bobRequest).toContainText("every metric");
    await expect(bobRequest.getByRole("button", { name: "Approve" })).toBeVisible();
    await expect(bobRequest.getByRole("button", { name: "Cancel" })).toHaveCount(0);
    await shot(bobPage, info, "lifecycle-02-bob-sees-request");
    await bobRequest.getByRole("button", { name: "Approve" }).click();
    const approve = bobPage.getByRole("dialog");
    await approve.getByLabel("Comment").fill("Go.");
    await approve.getByLabel("Archive other versions in this stage").check();
    await approve.getByRole("button", { name: "Approve" }).click();
    await expect(approve).toBeHidden();
    await expect(bobLifecycle.getByTestId("stage-badge").first()).toHaveText("Production");

    // Alice's page follows without a reload.
    await expect(aliceLifecycle.getByTestId("stage-badge").first()).toHaveText("Production", { timeout: 8_000 });
    await expect(aliceRequest).toHaveCount(0);
    const feed = aliceLifecycle.getByRole("feed", { name: "Version activity" });
    await expect(feed).toContainText("alice requested to move 2.0.0 from None to Production", { timeout: 8_000 });
    await expect(feed).toContainText("bob approved the request to move 2.0.0 to Production");
    await expect(feed).toContainText("bob moved 2.0.0 from None to Production");
    await shot(alicePage, info, "lifecycle-03-alice-after-approval");

    // 1.0.0 was archived.
    await alicePage.goto("/projects/lifecycle-e2e/models/churn/versions/1.0.0");
    await expect(
      alicePage.getByRole("region", { name: "Lifecycle" }).getByTestId("stage-badge").first(),
    ).toHaveText("Archived");

    // The model's versions table and activity tab.
    await alicePage.goto("/projects/lifecycle-e2e/models/churn?tab=versions");
    const rows = alicePage.getByTestId("version-row");
    await expect(rows.filter({ hasText: "2.0.0" }).getByTestId("stage-badge")).toHaveText("Production");
    await expect(rows.filter({ hasText: "1.0.0" }).getByTestId("stage-badge")).toHaveText("Archived");
    await alicePage.getByRole("tab", { name: "Activity" }).click();
    await expect(alicePage.getByRole("feed", { name: "Model activity" })).toContainText(
      "bob approved the request to move 2.0.0 to Production",
    );
    await shot(alicePage, info, "lifecycle-04-model-activity");
  } finally {
    await alice.close();
    await bob.close();
  }
});
