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

// The inbox story: dora (a developer) asks for Production, which only a maintainer may approve;
// max (the maintainer) sees the header badge, finds the request in his inbox, approves it with a
// comment; the version's activity shows the approval with its comment.

interface Errors {
  errors: { message: string }[];
}

test.afterEach(async ({ page }) => {
  await deleteProjects(page.request, ["inbox-e2e"]);
});

test("a developer requests Production, the maintainer approves it from the inbox", async ({ browser, page }, info) => {
  test.setTimeout(120_000);
  const api = page.request;
  await createUser(api, "dora", "Dora Developer");
  await createUser(api, "max", "Max Maintainer");
  const projectId = await createProject(api, "inbox-e2e");
  await addMember(api, projectId, "dora", "DEVELOPER");
  await addMember(api, projectId, "max", "MAINTAINER");
  const modelId = await createModel(api, projectId, "churn");
  const versionId = await createVersion(api, modelId, "1.0.0");

  const { context: doraContext, page: dora } = await signedInContext(browser, "dora");
  const { context: maxContext, page: max } = await signedInContext(browser, "max");
  try {
    // Max has nothing to approve yet: the link is there without a count.
    await expect(max.getByTestId("inbox-link")).toBeVisible();
    await expect(max.getByTestId("inbox-count")).toHaveCount(0);

    // Dora asks for Production (a developer may not move a version there herself).
    const requested = await graphql<{ requestTransition: Errors }>(
      dora.request,
      "mutation($input: RequestTransitionInput!) { requestTransition(input: $input) { errors { message } } }",
      { input: { versionId, stage: "PRODUCTION", comment: "Beats the baseline by 2 points of AUC." } },
    );
    expect(requested.requestTransition.errors).toEqual([]);
    // Her inbox lists it as hers, awaiting approval; she has nothing to approve.
    await dora.goto("/-/inbox");
    const doraOwn = dora.getByRole("region", { name: "Your requests" });
    await expect(doraOwn.getByTestId("inbox-request")).toContainText("Beats the baseline");
    await expect(doraOwn.getByTestId("awaiting-approval")).toBeVisible();
    await expect(dora.getByRole("region", { name: "To approve" })).toContainText("Nothing waits on you.");

    // Max's badge counts the request (on loading a page, on focus, and every 30 s).
    await max.goto("/projects/inbox-e2e");
    await expect(max.getByTestId("inbox-count")).toHaveText("1");
    // The models table marks the model.
    await expect(max.getByTestId("pending-badge")).toHaveText("1 pending request");
    await shot(max, info, "inbox-01-badge");
    // The model page lists it too, with the actions he may take.
    await max.getByTestId("pending-badge").click();
    const notice = max.getByTestId("model-pending-requests");
    await expect(notice).toContainText("1 pending transition request");
    await expect(notice.getByTestId("inbox-request")).toContainText("dora");
    await expect(notice.getByRole("button", { name: "Approve" })).toBeVisible();

    // He opens the inbox and approves with a comment.
    await max.getByTestId("inbox-link").click();
    await expect(max).toHaveURL(/\/-\/inbox$/);
    const toApprove = max.getByRole("region", { name: "To approve" });
    const row = toApprove.getByTestId("inbox-request");
    await expect(row).toContainText("dora");
    await expect(row).toContainText("Beats the baseline");
    await shot(max, info, "inbox-02-inbox");
    await row.getByRole("button", { name: "Approve" }).click();
    const dialog = max.getByRole("dialog");
    await dialog.getByLabel("Comment").fill("Ship it; watch the latency dashboard.");
    await dialog.getByRole("button", { name: "Approve" }).click();
    await expect(dialog).toBeHidden();
    await expect(toApprove).toContainText("Nothing waits on you.");
    await expect(max.getByTestId("inbox-count")).toHaveCount(0);

    // The version's activity shows the approval and why.
    await max.goto("/projects/inbox-e2e/models/churn/versions/1.0.0");
    const feed = max.getByRole("feed", { name: "Version activity" });
    const approval = feed.getByTestId("activity-item").filter({ hasText: "max approved dora's request" });
    await expect(approval).toContainText("max approved dora's request to move 1.0.0 to Production");
    await expect(approval.getByTestId("activity-comment")).toHaveText("Ship it; watch the latency dashboard.");
    const request = feed.getByTestId("activity-item").filter({ hasText: "dora requested" });
    await expect(request.getByTestId("activity-comment")).toHaveText("Beats the baseline by 2 points of AUC.");
    await shot(max, info, "inbox-03-activity");
  } finally {
    await doraContext.close();
    await maxContext.close();
  }
});
