import type { APIRequestContext } from "@playwright/test";

import { attachShot, expectAccessible, expectHeaderFits, expectNoHorizontalOverflow } from "./a11y";
import {
  ADMIN,
  ADMIN_PASSWORD,
  addMember,
  createModel,
  createProject,
  createUser,
  deleteProjects,
  expect,
  graphql,
  signIn,
  test,
} from "./support";

// Every page of the app, at desktop width and on a phone (390 x 844): axe-core finds no serious or
// critical WCAG 2.1 A/AA violation, each page has one h1, and on the phone nothing makes the page
// scroll sideways. A full-page screenshot of each page at each width is attached to the output.
// The data has something in every section: a described model with tags, two versions with tags
// and metrics (registered from MLflow runs), a pending transition request and a webhook.

const PROJECT = "a11y-e2e";
const MODEL = "churn";
const REQUESTER = "a11y-ann";
const MLFLOW = `/projects/${PROJECT}/mlflow/api/2.0/mlflow`;
const MODEL_URL = `/projects/${PROJECT}/models/${MODEL}`;

interface Errors {
  errors: { code: string; message: string }[];
}

async function ok(response: Awaited<ReturnType<APIRequestContext["post"]>>): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect(response.ok(), `${response.url()}: ${text}`).toBe(true);
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}

/** A run with params and a metric history, registered as `version` of the model, with tags. */
async function register(api: APIRequestContext, version: string, accuracy: number[], tags: Record<string, string>) {
  const created = await ok(
    await api.post(`${MLFLOW}/runs/create`, {
      data: { experiment_id: "0", run_name: `train-${version}`, start_time: Date.now() },
    }),
  );
  const runId = (created.run as { info: { run_id: string } }).info.run_id;
  const now = Date.now();
  await ok(
    await api.post(`${MLFLOW}/runs/log-batch`, {
      data: {
        run_id: runId,
        params: [{ key: "C", value: String(accuracy.length) }],
        metrics: accuracy.map((value, step) => ({ key: "accuracy", value, step, timestamp: now + step })),
      },
    }),
  );
  await ok(await api.post(`${MLFLOW}/runs/update`, { data: { run_id: runId, status: "FINISHED", end_time: now } }));
  await ok(
    await api.post(`${MLFLOW}/model-versions/create`, {
      data: {
        name: MODEL,
        source: `runs:/${runId}/model`,
        run_id: runId,
        tags: [{ key: "modelreg.version", value: version }, ...Object.entries(tags).map(([key, value]) => ({ key, value }))],
      },
    }),
  );
  return runId;
}

async function versionId(api: APIRequestContext, version: string): Promise<string> {
  const data = await graphql<{ project: { model: { version: { id: string } } } }>(
    api,
    "query($p: String!, $m: String!, $v: String!) { project(path: $p) { model(name: $m) { version(version: $v) { id } } } }",
    { p: PROJECT, m: MODEL, v: version },
  );
  return data.project.model.version.id;
}

async function seed(admin: APIRequestContext, mlflow: APIRequestContext, requester: APIRequestContext) {
  await deleteProjects(admin, [PROJECT]);
  await createUser(admin, REQUESTER, "Ann Requester");
  const projectId = await createProject(admin, PROJECT);
  await addMember(admin, projectId, REQUESTER, "REPORTER");
  const modelId = await createModel(admin, projectId, MODEL);
  const model = await graphql<{ updateModel: Errors; setModelTags: Errors }>(
    admin,
    `mutation($u: UpdateModelInput!, $t: SetModelTagsInput!) {
       updateModel(input: $u) { errors { code message } }
       setModelTags(input: $t) { errors { code message } }
     }`,
    {
      u: { id: modelId, description: "# Churn\n\nPredicts which customers **leave** next month.\n\n- trained weekly" },
      t: { id: modelId, tags: [{ key: "team", value: "growth" }, { key: "pii", value: "" }] },
    },
  );
  expect(model.updateModel.errors).toEqual([]);
  expect(model.setModelTags.errors).toEqual([]);
  runId = await register(mlflow, "1.0.0", [0.7, 0.75, 0.8], { dataset: "2026-10" });
  await register(mlflow, "1.1.0", [0.74, 0.8, 0.86], { dataset: "2026-11", candidate: "" });
  const first = await versionId(admin, "1.0.0");
  const second = await versionId(admin, "1.1.0");
  const moved = await graphql<{ transitionStage: Errors }>(
    admin,
    "mutation($input: TransitionStageInput!) { transitionStage(input: $input) { errors { code message } } }",
    { input: { versionId: first, stage: "PRODUCTION" } },
  );
  expect(moved.transitionStage.errors).toEqual([]);
  const comment = await graphql<{ addComment: Errors }>(
    admin,
    "mutation($input: AddCommentInput!) { addComment(input: $input) { errors { code message } } }",
    { input: { versionId: second, body: "Better on **every** slice." } },
  );
  expect(comment.addComment.errors).toEqual([]);
  // The reporter asks for Production: the admin has it in the inbox, the version shows it.
  const request = await graphql<{ requestTransition: Errors }>(
    requester,
    "mutation($input: RequestTransitionInput!) { requestTransition(input: $input) { errors { code message } } }",
    { input: { versionId: second, stage: "PRODUCTION", comment: "Ready for production." } },
  );
  expect(request.requestTransition.errors).toEqual([]);
  const hook = await graphql<{ createWebhook: Errors }>(
    admin,
    "mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { errors { code message } } }",
    { input: { projectId, url: "http://127.0.0.1:9/hooks", events: ["model.*"], description: "CI trigger" } },
  );
  expect(hook.createWebhook.errors).toEqual([]);
}

/** The run 1.0.0 was registered from (set by the setup). */
let runId = "";

interface Visit {
  name: string;
  path: string | (() => string);
  /** Text that shows once the page's data has loaded. */
  ready: string;
  /** Pages for a visitor who is not signed in. */
  signedOut?: boolean;
}

const VISITS: Visit[] = [
  { name: "projects", path: "/", ready: PROJECT },
  { name: "sign-in", path: "/sign-in", ready: "Username", signedOut: true },
  { name: "tokens", path: "/-/user/tokens", ready: "Your tokens" },
  { name: "password", path: "/-/user/password", ready: "Current password" },
  { name: "notifications", path: "/-/user/notifications", ready: "Notifications" },
  { name: "inbox", path: "/-/inbox", ready: "Ready for production." },
  { name: "project", path: `/projects/${PROJECT}`, ready: MODEL },
  { name: "project-settings", path: `/projects/${PROJECT}/settings`, ready: "Visibility" },
  { name: "project-members", path: `/projects/${PROJECT}/settings/members`, ready: REQUESTER },
  { name: "project-webhooks", path: `/projects/${PROJECT}/settings/webhooks`, ready: "CI trigger" },
  { name: "model-card", path: MODEL_URL, ready: "trained weekly" },
  { name: "model-versions", path: `${MODEL_URL}?tab=versions`, ready: "1.1.0" },
  { name: "model-activity", path: `${MODEL_URL}?tab=activity`, ready: "1.1.0" },
  { name: "compare", path: `${MODEL_URL}/compare?versions=1.0.0,1.1.0`, ready: "accuracy" },
  { name: "new-version", path: `${MODEL_URL}/versions/new`, ready: "Version" },
  { name: "version", path: `${MODEL_URL}/versions/1.1.0`, ready: "Ready for production." },
  { name: "experiments", path: `/projects/${PROJECT}/experiments`, ready: "Default" },
  { name: "experiment", path: `/projects/${PROJECT}/experiments/0`, ready: "train-1.1.0" },
  { name: "run", path: () => `/projects/${PROJECT}/runs/${runId}`, ready: "train-1.0.0" },
  { name: "not-found", path: "/no/such/page", ready: "not found" },
];

const WIDTHS = [
  { name: "desktop", viewport: { width: 1280, height: 900 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
];

test.beforeAll(async ({ playwright, baseURL }) => {
  const admin = await playwright.request.newContext({ baseURL });
  const requester = await playwright.request.newContext({ baseURL });
  try {
    await signIn(admin, ADMIN, ADMIN_PASSWORD);
    await createUser(admin, REQUESTER, "Ann Requester");
    await signIn(requester, REQUESTER);
    // The MLflow API takes a token, not the session cookie.
    const token = await graphql<{ createPersonalAccessToken: { secret: string } }>(
      admin,
      "mutation($input: CreatePersonalAccessTokenInput!) { createPersonalAccessToken(input: $input) { secret } }",
      { input: { name: `a11y-e2e-${Date.now()}`, scopes: ["API"] } },
    );
    const mlflow = await playwright.request.newContext({
      baseURL,
      extraHTTPHeaders: { Authorization: `Bearer ${token.createPersonalAccessToken.secret}` },
    });
    try {
      await seed(admin, mlflow, requester);
    } finally {
      await mlflow.dispose();
    }
  } finally {
    await admin.dispose();
    await requester.dispose();
  }
});

test.afterAll(async ({ playwright, baseURL }) => {
  const admin = await playwright.request.newContext({ baseURL });
  await signIn(admin, ADMIN, ADMIN_PASSWORD);
  await deleteProjects(admin, [PROJECT]);
  await admin.dispose();
});

for (const width of WIDTHS) {
  test.describe(width.name, () => {
    test.use({ viewport: width.viewport });
    for (const visit of VISITS) {
      test(`${visit.name} is accessible at ${width.name} width`, async ({ page, browser }, info) => {
        let target = page;
        if (visit.signedOut) {
          const context = await browser.newContext({ viewport: width.viewport });
          target = await context.newPage();
          info.setTimeout(info.timeout + 10_000);
        }
        try {
          await target.goto(typeof visit.path === "string" ? visit.path : visit.path());
          await expect(target.getByText(visit.ready).first()).toBeVisible();
          await expect(target.getByLabel("Loading")).toHaveCount(0);
          // Transitions (Mantine's fades) finish before axe judges colours.
          await target.waitForTimeout(400);
          await attachShot(target, info, `${visit.name}-${width.name}`);
          await expectAccessible(target, `${visit.name} at ${width.name} width`);
          expect.soft(await target.locator("h1").allTextContents(), "one h1: the page's title").toHaveLength(1);
          await expectHeaderFits(target, `${visit.name} at ${width.name} width`);
          if (width.name === "phone") await expectNoHorizontalOverflow(target, visit.name);
          if (width.name === "phone" && visit.name === "version") {
            // A pending request's text uses the card's width; its buttons go below it.
            const card = target.getByTestId("transition-request").first();
            const text = card.getByTestId("request-compatibility").locator("..");
            const [cardBox, textBox] = [await card.boundingBox(), await text.boundingBox()];
            expect.soft(textBox!.width, "request text width on a phone").toBeGreaterThan(cardBox!.width * 0.8);
          }
        } finally {
          if (target !== page) await target.context().close();
        }
      });
    }
  });
}

test("a tag in the models table is a button: reached with Tab, Enter filters on it", async ({ page }) => {
  await page.goto(`/projects/${PROJECT}`);
  const tag = page.getByRole("table", { name: "Models" }).getByRole("button", { name: "Filter by tag pii" });
  await expect(tag).toBeVisible();
  // From the model's link, Tab reaches the tag (a badge with only onClick never would).
  await page.getByRole("table", { name: "Models" }).getByRole("link", { name: MODEL, exact: true }).focus();
  for (let i = 0; i < 12 && !(await tag.evaluate((el) => el === el.ownerDocument.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await expect(tag).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/[?&]tag=pii(&|$)/);
});
