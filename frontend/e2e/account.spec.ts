import { test as anonymous } from "@playwright/test";

import {
  ADMIN,
  ADMIN_PASSWORD,
  createModel,
  createProject,
  createUser,
  deleteProjects,
  expect,
  PASSWORD,
  shot,
  signIn,
  signInThroughPage,
} from "./support";

// Signing in and out in the web app, personal access tokens, changing one's password.
// These tests start anonymous (plain Playwright `test`).

const PROJECT = "account-e2e";
const PUBLIC_PROJECT = "account-e2e-public";

anonymous.afterEach(async ({ playwright, baseURL }) => {
  const admin = await playwright.request.newContext({ baseURL });
  await signIn(admin, ADMIN, ADMIN_PASSWORD);
  await deleteProjects(admin, [PROJECT, PUBLIC_PROJECT]);
  await admin.dispose();
});

anonymous("sign in from a private page, come back to it, sign out", async ({ page, playwright, baseURL }, info) => {
  const admin = await playwright.request.newContext({ baseURL });
  await signIn(admin, ADMIN, ADMIN_PASSWORD);
  await createProject(admin, PROJECT, "PRIVATE");
  const publicId = await createProject(admin, PUBLIC_PROJECT, "PUBLIC");
  await createModel(admin, publicId, "churn");
  await admin.dispose();

  // Anonymous: no write controls, a hint to sign in instead; the private project is absent.
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Create project" })).toHaveCount(0);
  await expect(page.getByTestId("sign-in-hint")).toContainText("Sign in to see the projects you are a member of");
  await expect(page.getByRole("link", { name: PUBLIC_PROJECT })).toBeVisible();
  await expect(page.getByRole("link", { name: PROJECT, exact: true })).toHaveCount(0);
  await shot(page, info, "account-01-anonymous");

  // A public project reads like any other, without buttons that would only refuse.
  await page.getByRole("link", { name: PUBLIC_PROJECT }).click();
  await expect(page.getByRole("link", { name: "churn" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Create model" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Settings" })).toHaveCount(0);
  await expect(page.getByTestId("sign-in-hint")).toBeVisible();
  await page.getByRole("link", { name: "churn" }).click();
  await expect(page.getByRole("heading", { name: "churn" })).toBeVisible();
  for (const name of ["New version", "Rename", "Delete", "Edit model card"]) {
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
    await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);
  }
  await expect(page.getByLabel("Tag key")).toHaveCount(0);
  await shot(page, info, "account-01b-anonymous-public-model");

  await page.goto(`/projects/${PROJECT}?sort=name`);
  await expect(page.getByText(`Project “${PROJECT}” not found`)).toBeVisible();
  await page.getByTestId("sign-in-hint").getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fprojects%2Faccount-e2e%3Fsort%3Dname$/);

  // A wrong password is refused without saying which part was wrong.
  await page.getByLabel("Username").fill(ADMIN);
  await page.getByRole("textbox", { name: "Password", exact: true }).fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("Wrong username or password.");
  await shot(page, info, "account-02-sign-in-refused");

  // The right one brings the user back where they were, now able to see the project.
  await page.getByRole("textbox", { name: "Password", exact: true }).fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${PROJECT}\\?sort=name$`));
  await expect(page.getByRole("heading", { name: PROJECT })).toBeVisible();
  await expect(page.getByTestId("user-menu")).toHaveAccessibleName(`Account menu of ${ADMIN}`);
  await expect(page.getByRole("button", { name: "Create model" })).toBeVisible();
  await shot(page, info, "account-03-signed-in");

  // Every POST carries the CSRF token; without it the server refuses the cookie.
  const refused = await page.request.post("/graphql", { data: { query: "{ viewer { user { username } } }" } });
  expect(refused.status()).toBe(403);

  // Sign out: back to the projects, anonymous again.
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "Sign in" }).first()).toBeVisible();
  await expect(page.getByTestId("user-menu")).toHaveCount(0);
  await expect(page.getByRole("link", { name: PROJECT, exact: true })).toHaveCount(0);
  await page.goto(`/projects/${PROJECT}`);
  await expect(page.getByText(`Project “${PROJECT}” not found`)).toBeVisible();
});

anonymous("create a personal access token, use it, revoke it", async ({ page, playwright, baseURL, context }, info) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  // A user of its own: other specs give the admin tokens, and this one starts with none.
  const owner = `tokens-e2e-${Date.now()}`;
  const admin = await playwright.request.newContext({ baseURL });
  await signIn(admin, ADMIN, ADMIN_PASSWORD);
  await createUser(admin, owner);
  await admin.dispose();
  await signInThroughPage(page, owner, PASSWORD);
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "Access tokens" }).click();
  await expect(page).toHaveURL(/\/-\/user\/tokens$/);
  await expect(page.getByText("No tokens yet")).toBeVisible();

  const form = page.getByRole("region", { name: "Create a token" });
  // Nothing chosen: said before anything is sent.
  await form.getByRole("checkbox", { name: "read_api" }).uncheck();
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(form.getByText("Give the token a name")).toBeVisible();
  await expect(form.getByText("Choose at least one scope.")).toBeVisible();

  const nextYear = new Date().getFullYear() + 1;
  await form.getByLabel("Name").fill("ci-e2e");
  await form.getByRole("checkbox", { name: "api", exact: true }).check();
  await form.getByLabel("Expires on").fill(`${nextYear}-06-30`);
  await form.getByRole("button", { name: "Create token" }).click();

  // Shown once, with a copy button.
  const created = page.getByTestId("new-token");
  await expect(created).toContainText("you won't see it again");
  const secret = (await page.getByTestId("new-token-secret").textContent()) ?? "";
  expect(secret).toMatch(/^mrt_/);
  await created.getByRole("button", { name: "Copy token" }).click();
  await expect(created.getByRole("button", { name: "Copied", exact: true })).toBeVisible();
  expect(await page.evaluate("navigator.clipboard.readText()")).toBe(secret);
  await shot(page, info, "account-04-token-created");

  const row = page.locator('[data-testid="token-row"][data-name="ci-e2e"]');
  await expect(row).toContainText(secret.slice(0, 12));
  await expect(row).toContainText("api");
  await expect(row).toContainText("Active");
  await expect(row).toContainText(String(nextYear));

  // Scripts use it as a bearer token.
  const script = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { Authorization: `Bearer ${secret}` },
  });
  const viewer = await script.post("/graphql", { data: { query: "{ viewer { user { username } tokenScopes } }" } });
  expect(viewer.status()).toBe(200);
  expect(await viewer.json()).toEqual({ data: { viewer: { user: { username: owner }, tokenScopes: ["API"] } } });

  // The secret is gone once dismissed; the list shows the token was used.
  await created.getByRole("button", { name: "I have copied it" }).click();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(page.getByText(secret)).toHaveCount(0);
  await page.reload();
  await expect(row.getByRole("cell").nth(5)).not.toHaveText("Never");

  // Revoke, after confirming; the token stops working at once.
  await row.getByRole("button", { name: "Revoke token ci-e2e" }).click();
  const confirm = page.getByRole("dialog", { name: "Revoke token “ci-e2e”?" });
  await shot(page, info, "account-05-revoke-confirm");
  await confirm.getByRole("button", { name: "Revoke token" }).click();
  await expect(row).toContainText("Revoked");
  await expect(row.getByRole("button", { name: /Revoke/ })).toHaveCount(0);
  const after = await script.post("/graphql", { data: { query: "{ viewer { user { username } } }" } });
  expect(after.status()).toBe(401);
  await shot(page, info, "account-06-token-revoked");
  await script.dispose();
});

anonymous("change one's password: signed out everywhere, in again with the new one", async ({ page, playwright, baseURL }, info) => {
  const admin = await playwright.request.newContext({ baseURL });
  await signIn(admin, ADMIN, ADMIN_PASSWORD);
  await createUser(admin, "pat", "Pat Password");
  await admin.dispose();

  // The account pages ask anonymous visitors to sign in first, then open.
  await page.goto("/-/user/password");
  await expect(page).toHaveURL(/\/sign-in\?next=%2F-%2Fuser%2Fpassword$/);
  await page.getByLabel("Username").fill("pat");
  await page.getByRole("textbox", { name: "Password", exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/-\/user\/password$/);

  const newPassword = "a much longer new passphrase";
  await page.getByLabel("Current password").fill("wrong password");
  await page.getByRole("textbox", { name: "New password", exact: true }).fill("short");
  await page.getByLabel("New password again").fill("short");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("The new password must be at least 12 characters long.")).toBeVisible();

  await page.getByRole("textbox", { name: "New password", exact: true }).fill(newPassword);
  await page.getByLabel("New password again").fill(newPassword);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("The current password is wrong.")).toBeVisible();
  await shot(page, info, "account-07-password-wrong");

  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  // Every session of pat ended, this one too: sign in again, with the new password.
  await expect(page).toHaveURL(/\/sign-in\?next=%2F-%2Fuser%2Fpassword$/);
  await page.getByLabel("Username").fill("pat");
  await page.getByRole("textbox", { name: "Password", exact: true }).fill(newPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/-\/user\/password$/);
  await expect(page.getByTestId("user-menu")).toContainText("Pat Password");
});
