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

// Live pages: alice keeps the project, model and version pages open in her browser while the admin
// changes the registry from another client. Each change shows on her page without a reload,
// within LIVE ms: well under the old polling intervals (8-10 s and 30 s), so it came through the
// event subscription. An open Markdown editor keeps alice's text while the page refreshes.

const LIVE = { timeout: 3000 };
const PROJECT = "live-e2e";

interface Errors {
  errors: { message: string }[];
}

test.afterEach(async ({ page }) => {
  await deleteProjects(page.request, [PROJECT]);
});

test("the project, model and version pages follow changes made elsewhere", async ({ browser, page }, info) => {
  test.setTimeout(120_000);
  const api = page.request;
  const mutate = async (name: string, query: string, input: Record<string, unknown>) => {
    const data = await graphql<Record<string, Errors>>(api, query, { input });
    expect(data[name]?.errors).toEqual([]);
  };
  await createUser(api, "alice", "Alice Liddell");
  const projectId = await createProject(api, PROJECT);
  await addMember(api, projectId, "alice", "DEVELOPER");
  const modelId = await createModel(api, projectId, "churn");
  const versionId = await createVersion(api, modelId, "1.0.0");

  const { context, page: alice } = await signedInContext(browser, "alice");
  try {
    // The project page: a model created elsewhere joins the table.
    await alice.goto(`/projects/${PROJECT}`);
    await expect(alice.getByRole("link", { name: "churn", exact: true })).toBeVisible();
    await createModel(api, projectId, "fraud");
    await expect(alice.getByRole("link", { name: "fraud", exact: true })).toBeVisible(LIVE);

    // The model page: its card and tags, then a new version in the versions table.
    await alice.goto(`/projects/${PROJECT}/models/churn`);
    await expect(alice.getByText("No model card yet")).toBeVisible();
    await mutate("updateModel", "mutation($input: UpdateModelInput!) { updateModel(input: $input) { errors { message } } }", {
      id: modelId,
      description: "Predicts which customers leave.",
    });
    await expect(alice.getByTestId("model-card")).toContainText("Predicts which customers leave.", LIVE);
    await mutate("setModelTags", "mutation($input: SetModelTagsInput!) { setModelTags(input: $input) { errors { message } } }", {
      id: modelId,
      tags: [{ key: "team", value: "growth" }],
    });
    await expect(alice.getByText("team: growth").first()).toBeVisible(LIVE);
    await alice.getByRole("tab", { name: /Versions/ }).click();
    await expect(alice.getByTestId("version-row")).toHaveCount(1);
    await createVersion(api, modelId, "1.1.0");
    await expect(alice.getByTestId("version-row")).toHaveCount(2, LIVE);
    await expect(alice.getByRole("tab", { name: "Versions (2)" })).toBeVisible(LIVE);
    await expect(alice.getByTestId("version-link").first()).toHaveText("1.1.0");
    await shot(alice, info, "live-01-model-page");

    // The version page: alice starts a description; the admin saves another one meanwhile.
    await alice.goto(`/projects/${PROJECT}/models/churn/versions/1.0.0`);
    await alice.getByRole("button", { name: "Edit description" }).click();
    const editor = alice.getByRole("textbox", { name: "Description" });
    await editor.fill("Alice's half-written notes");
    await mutate("updateVersion", "mutation($input: UpdateVersionInput!) { updateVersion(input: $input) { errors { message } } }", {
      id: versionId,
      description: "Retrained on March data.",
    });
    // A file uploaded, a tag set and the stage changed elsewhere all show, the editor untouched.
    const upload = await api.put(`/api/v1/projects/${PROJECT}/models/churn/versions/1.0.0/files/config/params.json`, {
      data: Buffer.from('{"depth": 6}'),
      headers: await csrf(api),
    });
    expect(upload.ok(), await upload.text()).toBe(true);
    const files = alice.getByRole("region", { name: "Files" });
    await expect(files.getByTestId("files-summary")).toHaveText(/^1 file/, LIVE);
    await expect(files.getByText("params.json")).toBeVisible(LIVE);
    await mutate("setVersionTags", "mutation($input: SetVersionTagsInput!) { setVersionTags(input: $input) { errors { message } } }", {
      id: versionId,
      tags: [{ key: "dataset", value: "march" }],
    });
    await expect(alice.getByText("dataset: march").first()).toBeVisible(LIVE);
    await mutate("transitionStage", "mutation($input: TransitionStageInput!) { transitionStage(input: $input) { errors { message } } }", {
      versionId,
      stage: "STAGING",
    });
    const lifecycle = alice.getByRole("region", { name: "Lifecycle" });
    await expect(lifecycle.getByTestId("stage-badge").first()).toHaveText("Staging", LIVE);
    await expect(alice.getByRole("feed", { name: "Version activity" })).toContainText("params.json", LIVE);
    await expect(editor).toHaveValue("Alice's half-written notes");
    await shot(alice, info, "live-02-version-page-editing");
    // Leaving the editor shows the description saved elsewhere.
    await alice.getByRole("button", { name: "Cancel" }).click();
    await expect(alice.getByText("Retrained on March data.")).toBeVisible();
  } finally {
    await context.close();
  }
});

/** The CSRF header of a request context signed in by cookie (REST writes need it too). */
async function csrf(request: import("@playwright/test").APIRequestContext): Promise<Record<string, string>> {
  const { cookies } = await request.storageState();
  const token = cookies.find((c) => c.name === "modelreg_csrf")?.value;
  return token ? { "X-CSRF-Token": token } : {};
}
