import {
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  expect,
  type Page,
  test as base,
  type TestInfo,
} from "@playwright/test";

// Shared by the specs: accounts, the API with its CSRF header, screenshots, cleanup.

/** `modelreg serve` creates `admin` with this password on the first start (playwright.config.ts). */
export const ADMIN = "admin";
export const ADMIN_PASSWORD = "e2e-admin-password-0123";
/** The password of every user the specs create (at least 12 characters). */
export const PASSWORD = "e2e-user-password-0123";

export async function shot(page: Page, info: TestInfo, name: string) {
  await page.evaluate("window.scrollTo(0, 0)"); // keeps the fixed header where it belongs
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}

/**
 * The CSRF header for a request context signed in by cookie. `page.request` shares the cookies of
 * its browser context, so signing in there signs in the pages too.
 */
async function csrfHeader(request: APIRequestContext): Promise<Record<string, string>> {
  const { cookies } = await request.storageState();
  const token = cookies.find((c) => c.name === "modelreg_csrf")?.value;
  return token ? { "X-CSRF-Token": token } : {};
}

export async function graphql<T>(
  request: APIRequestContext,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await request.post("/graphql", { data: { query, variables }, headers: await csrfHeader(request) });
  expect(response.ok(), await response.text()).toBe(true);
  const body = (await response.json()) as { data: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

interface Errors {
  errors: { code: string; message: string }[];
}

/** Signs in through the `login` mutation; the session cookies land in the request's context. */
export async function signIn(request: APIRequestContext, username: string, password = PASSWORD) {
  const data = await graphql<{ login: Errors }>(
    request,
    "mutation($input: LoginInput!) { login(input: $input) { user { username } errors { code message } } }",
    { input: { username, password } },
  );
  expect(data.login.errors).toEqual([]);
}

/** An account made by the admin; one that exists already (a rerun against the same data) is fine. */
export async function createUser(admin: APIRequestContext, username: string, displayName = "") {
  const data = await graphql<{ createUser: Errors }>(
    admin,
    "mutation($input: CreateUserInput!) { createUser(input: $input) { user { username } errors { code message } } }",
    { input: { username, password: PASSWORD, displayName } },
  );
  expect(data.createUser.errors.filter((e) => e.code !== "ALREADY_EXISTS")).toEqual([]);
}

export async function createProject(
  request: APIRequestContext,
  path: string,
  visibility: "PRIVATE" | "INTERNAL" | "PUBLIC" = "PRIVATE",
): Promise<string> {
  const data = await graphql<{ createProject: { project: { id: string } | null } & Errors }>(
    request,
    "mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id } errors { code message } } }",
    { input: { path, name: path, visibility } },
  );
  expect(data.createProject.errors).toEqual([]);
  return data.createProject.project!.id;
}

export async function createModel(request: APIRequestContext, projectId: string, name: string): Promise<string> {
  const data = await graphql<{ createModel: { model: { id: string } | null } & Errors }>(
    request,
    "mutation($input: CreateModelInput!) { createModel(input: $input) { model { id } errors { code message } } }",
    { input: { projectId, name } },
  );
  expect(data.createModel.errors).toEqual([]);
  return data.createModel.model!.id;
}

export async function createVersion(request: APIRequestContext, modelId: string, version: string): Promise<string> {
  const data = await graphql<{ createVersion: { modelVersion: { id: string } | null } & Errors }>(
    request,
    "mutation($input: CreateVersionInput!) { createVersion(input: $input) { modelVersion { id } errors { code message } } }",
    { input: { modelId, version } },
  );
  expect(data.createVersion.errors).toEqual([]);
  return data.createVersion.modelVersion!.id;
}

export async function addMember(request: APIRequestContext, projectId: string, username: string, role: string) {
  const data = await graphql<{ addProjectMember: Errors }>(
    request,
    "mutation($input: ProjectMemberInput!) { addProjectMember(input: $input) { member { role } errors { code message } } }",
    { input: { projectId, username, role } },
  );
  expect(data.addProjectMember.errors).toEqual([]);
}

/** Deletes projects by path, those that exist (registry.spec.ts starts from an empty registry). */
export async function deleteProjects(request: APIRequestContext, paths: readonly string[]) {
  for (const path of paths) {
    const found = await graphql<{ project: { id: string } | null }>(
      request,
      "query($path: String!) { project(path: $path) { id } }",
      { path },
    );
    if (!found.project) continue;
    const data = await graphql<{ deleteProject: Errors }>(
      request,
      "mutation($input: DeleteProjectInput!) { deleteProject(input: $input) { deletedId errors { code message } } }",
      { input: { id: found.project.id } },
    );
    expect(data.deleteProject.errors).toEqual([]);
  }
}

/** A browser context of its own, signed in as `username` through the sign-in page. */
export async function signedInContext(
  browser: Browser,
  username: string,
  password = PASSWORD,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInThroughPage(page, username, password);
  return { context, page };
}

/** Fills the sign-in page and waits until the header shows the user. */
export async function signInThroughPage(page: Page, username: string, password = PASSWORD, next?: string) {
  await page.goto(next ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in");
  await page.getByLabel("Username").fill(username);
  await page.getByRole("textbox", { name: "Password", exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("user-menu")).toBeVisible();
}

/** Tests whose `page` (and `page.request`) is signed in as the admin. */
export const test = base.extend({
  page: async ({ page }, provide) => {
    await signIn(page.request, ADMIN, ADMIN_PASSWORD);
    await provide(page);
  },
});

export { expect };
