import type { Page } from "@playwright/test";

import { deleteProjects, expect, shot, test } from "./support";

// One story through the registry, as a newcomer would click it, signed in as the admin.
// Screenshots of every page land in test-results/ for reviewers.

// The other specs leave nothing behind, and neither does this one.
test.afterEach(async ({ page }) => {
  await deleteProjects(page.request, ["demo", "scratch", "scratch-2"]);
});

async function createVersion(page: Page, version: string) {
  await page.getByRole("link", { name: "New version" }).click();
  await expect(page.getByRole("heading", { name: /New version of churn/ })).toBeVisible();
  await page.getByLabel("Version", { exact: false }).first().fill(version);
  await page.getByRole("button", { name: "Create version" }).click();
  await expect(page).toHaveURL(new RegExp(`/versions/${version.replace(/\./g, "\\.")}$`));
  await expect(page.getByRole("heading", { name: new RegExp(version.replace(/\./g, "\\.")) })).toBeVisible();
  await page.getByRole("link", { name: "churn" }).click();
}

test("create a project, a model and versions; see SemVer order; edit the card; filter by tag", async ({
  page,
}, info) => {
  await page.goto("/");
  await expect(page.getByText("No projects yet")).toBeVisible();
  await shot(page, info, "01-projects-empty");

  // Project
  await page.getByRole("button", { name: "Create your first project" }).click();
  await page.getByLabel("Path").fill("demo");
  await page.getByLabel("Name").fill("Demo");
  await page.getByRole("dialog").getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/\/projects\/demo$/);
  await expect(page.getByText("No models yet")).toBeVisible();
  await shot(page, info, "02-project-empty");

  // Two models with tags
  for (const [name, team] of [
    ["fraud", "risk"],
    ["churn", "growth"],
  ] as const) {
    await page.goto("/projects/demo");
    await page.getByRole("button", { name: "Create model" }).first().click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill(name);
    const tags = dialog.getByLabel("Tags");
    await tags.fill(`team=${team}`);
    await tags.press("Enter");
    await dialog.getByRole("button", { name: "Create model" }).click();
    await expect(page).toHaveURL(new RegExp(`/projects/demo/models/${name}$`));
  }
  await expect(page.getByRole("heading", { name: "churn" })).toBeVisible();
  await shot(page, info, "03-model-empty");

  // Three versions out of order
  for (const version of ["1.1.0", "10.0.0", "2.0.0"]) await createVersion(page, version);

  // An invalid version gets a field error naming the latest; a duplicate gets the server's.
  await page.getByRole("link", { name: "New version" }).click();
  const versionInput = page.getByLabel("Version", { exact: false }).first();
  await versionInput.fill("1.0");
  await expect(page.getByText("Must be a semantic version (MAJOR.MINOR.PATCH) — latest is 10.0.0")).toBeVisible();
  await shot(page, info, "04-create-version-invalid");
  await versionInput.fill("2.0.0");
  await page.getByRole("button", { name: "Create version" }).click();
  await expect(page.getByText("Model 'churn' already has version 2.0.0; choose another version.")).toBeVisible();
  // One click on a suggestion fills the next version.
  await page.getByRole("button", { name: "Minor 10.1.0" }).click();
  await expect(versionInput).toHaveValue("10.1.0");
  await page.getByRole("link", { name: "Cancel" }).click();

  // Versions in SemVer order with the right latest
  await page.getByRole("tab", { name: /Versions/ }).click();
  await expect(page.getByTestId("version-link")).toHaveText(["10.0.0", "2.0.0", "1.1.0"]);
  await expect(page.getByLabel("Latest version")).toHaveText("latest 10.0.0");
  await shot(page, info, "05-model-versions");

  // Model card: edit with preview, save, see it rendered
  await page.getByRole("tab", { name: "Model card" }).click();
  await page.getByRole("button", { name: "Edit model card" }).click();
  await page.getByRole("textbox", { name: "Model card" }).fill("# Churn model\n\nPredicts which customers **leave**.");
  await shot(page, info, "06-model-card-editing");
  await page.getByRole("button", { name: "Save model card" }).click();
  await expect(page.getByTestId("model-card").getByRole("heading", { name: "Churn model" })).toBeVisible();
  await shot(page, info, "07-model-card");

  // Version page, reloaded from its deep link
  await page.goto("/projects/demo/models/churn/versions/10.0.0");
  await page.reload();
  await expect(page.getByRole("heading", { name: /churn 10\.0\.0/ })).toBeVisible();
  await expect(page.getByText("#2").first()).toBeVisible();
  await shot(page, info, "08-version");

  // Models list filtered by tag
  await page.goto("/projects/demo");
  await expect(page.getByRole("table", { name: "Models" }).getByRole("row")).toHaveCount(3);
  const filter = page.getByRole("combobox", { name: "Filter by tags" });
  await filter.fill("team=growth");
  await filter.press("Enter");
  const rows = page.getByRole("table", { name: "Models" }).getByRole("row");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText("churn");
  await expect(rows.nth(1)).toContainText("10.0.0");
  await expect(page).toHaveURL(/tag=team%3Dgrowth/);
  await shot(page, info, "09-models-filtered");
});

test("rename a project's path and delete it with confirmation", async ({ page }, info) => {
  await page.goto("/");
  await page.getByRole("button", { name: /Create (your first )?project/ }).first().click();
  await page.getByLabel("Path").fill("scratch");
  await page.getByRole("dialog").getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/\/projects\/scratch$/);

  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/projects\/scratch\/settings$/);
  await expect(page.getByRole("radio", { name: "Private" })).toBeChecked();
  await page.getByLabel("Path", { exact: true }).fill("Not A Path");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText(/Project path may use lowercase letters/)).toBeVisible();
  await page.getByLabel("Path", { exact: true }).fill("scratch-2");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/projects\/scratch-2\/settings$/);
  await page.getByRole("link", { name: "scratch", exact: true }).click();
  await expect(page).toHaveURL(/\/projects\/scratch-2$/);

  await page.getByRole("link", { name: "Settings" }).click();
  const del = page.getByRole("button", { name: "Delete project" });
  await expect(del).toBeDisabled();
  await page.getByLabel("Type the project path to confirm").fill("scratch-2");
  await shot(page, info, "10-project-settings");
  await del.click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "scratch-2" })).toHaveCount(0);
});
