import {
  addMember,
  createModel,
  createProject,
  createUser,
  createVersion,
  deleteProjects,
  expect,
  graphql,
  shot,
  signedInContext,
  test,
} from "./support";

// The lifecycle story with two people: alice (a reporter) requests Production for 2.0.0, bob (a
// maintainer) approves it with "archive other versions"; alice's open page follows without a
// reload (GraphQL subscription). Each signs in in a browser context of their own.

interface Errors {
  errors: { message: string }[];
}

// registry.spec.ts starts from an empty registry: remove what we made.
test.afterEach(async ({ page }) => {
  await deleteProjects(page.request, ["lifecycle-e2e"]);
});

test("request a transition as alice, approve it as bob, see it live", async ({ browser, page }, info) => {
  // Two people in browser contexts of their own: more than the default minute on a slow machine.
  test.setTimeout(120_000);
  // Setup through the API, as the admin: the users, the project with them as members, versions.
  const api = page.request;
  await createUser(api, "alice", "Alice Liddell");
  await createUser(api, "bob", "Bob Builder");
  const projectId = await createProject(api, "lifecycle-e2e");
  await addMember(api, projectId, "alice", "REPORTER");
  await addMember(api, projectId, "bob", "MAINTAINER");
  const modelId = await createModel(api, projectId, "churn");
  const versionIds: string[] = [];
  for (const version of ["1.0.0", "2.0.0"]) versionIds.push(await createVersion(api, modelId, version));
  const t = await graphql<{ transitionStage: Errors }>(
    api,
    "mutation($input: TransitionStageInput!) { transitionStage(input: $input) { modelVersion { stage } errors { message } } }",
    { input: { versionId: versionIds[0], stage: "PRODUCTION" } },
  );
  expect(t.transitionStage.errors).toEqual([]);

  const { context: alice, page: alicePage } = await signedInContext(browser, "alice");
  const { context: bob, page: bobPage } = await signedInContext(browser, "bob");
  try {
    const url = "/projects/lifecycle-e2e/models/churn/versions/2.0.0";
    // Alice asks for Production.
    await alicePage.goto(url);
    const aliceLifecycle = alicePage.getByRole("region", { name: "Lifecycle" });
    await expect(aliceLifecycle.getByTestId("stage-badge").first()).toHaveText("None");
    // A reporter may only ask: the stage button says so, and so does the dialog.
    await expect(aliceLifecycle.getByRole("button", { name: "Change stage" })).toHaveCount(0);
    await aliceLifecycle.getByRole("button", { name: "Request transition" }).click();
    const dialog = alicePage.getByRole("dialog");
    await expect(dialog.getByRole("combobox", { name: "Target stage" })).toHaveValue("Production");
    await expect(dialog.getByTestId("request-explanation")).toContainText("needs the Maintainer role");
    await dialog.getByLabel("Comment").fill("Beats 1.0.0 on **every** metric.");
    await dialog.getByRole("button", { name: "Request transition" }).click();
    await expect(dialog).toBeHidden();
    const aliceRequest = aliceLifecycle.getByTestId("transition-request");
    await expect(aliceRequest).toContainText("alice");
    await expect(aliceRequest).toContainText("Production");
    await expect(aliceRequest.getByRole("button", { name: "Cancel" })).toBeVisible();
    await expect(aliceRequest.getByRole("button", { name: "Approve" })).toHaveCount(0);
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
    // The approval and the move it made are one entry, with the versions it archived and why.
    await expect(feed).toContainText("bob approved alice's request to move 2.0.0 to Production and archived 1.0.0");
    await expect(feed.getByTestId("activity-comment").first()).toHaveText("Go.");
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
      "bob approved alice's request to move 2.0.0 to Production and archived 1.0.0",
    );
    await shot(alicePage, info, "lifecycle-04-model-activity");
  } finally {
    await alice.close();
    await bob.close();
  }
});
