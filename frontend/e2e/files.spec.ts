import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { APIRequestContext } from "@playwright/test";

import { createModel as createModelIn, createProject, createVersion, deleteProjects, expect, shot, test } from "./support";

// Files of a version: upload into a subfolder with the drop zone, see the tree, download one,
// delete one with confirmation; and "Create & upload" from the new-version form. Signed in as the
// admin: uploads carry the session cookie and the X-CSRF-Token header.

// The run shares one registry and registry.spec.ts starts from an empty one: remove what we made.
const createdProjects: string[] = [];
test.afterEach(async ({ page }) => {
  await deleteProjects(page.request, createdProjects.splice(0));
});

/** A project and a model through the API (the UI for these is covered by registry.spec.ts). */
async function createModel(request: APIRequestContext, project: string, model: string): Promise<string> {
  const projectId = await createProject(request, project);
  createdProjects.push(project);
  return createModelIn(request, projectId, model);
}

const params = Buffer.from('{"learning_rate": 0.1}\n');
const vocab = Buffer.alloc(1536, "a");

test("upload files into a subfolder, download one, delete one", async ({ page }, info) => {
  const modelId = await createModel(page.request, "files-e2e", "churn");
  await createVersion(page.request, modelId, "1.0.0");

  await page.goto("/projects/files-e2e/models/churn/versions/1.0.0");
  const files = page.getByRole("region", { name: "Files" });
  await expect(files.getByText("No files in this version yet")).toBeVisible();
  await expect(page.getByTestId("files-summary")).toHaveText("0 files · 0 B");
  await files.scrollIntoViewIfNeeded();
  await shot(page, info, "files-01-empty");

  // Two files into config/
  await files.getByLabel("Subfolder").fill("config");
  await expect(files.getByText("config/", { exact: true })).toBeVisible();
  await page.getByTestId("file-input").setInputFiles([
    { name: "params.json", mimeType: "application/json", buffer: params },
    { name: "vocab.txt", mimeType: "text/plain", buffer: vocab },
  ]);
  const uploads = files.getByRole("table", { name: "Uploads" });
  await expect(uploads.getByText("Uploaded")).toHaveCount(2);
  await expect(files.getByText("2 uploaded")).toBeVisible();

  // Listed under the config folder, with their sizes
  const tree = files.getByRole("table", { name: "Files" });
  await expect(tree.getByTestId("folder-row")).toHaveAttribute("data-path", "config");
  await expect(tree.getByTestId("folder-row")).toContainText("2 files");
  const paramsRow = tree.locator('[data-path="config/params.json"]');
  const vocabRow = tree.locator('[data-path="config/vocab.txt"]');
  await expect(paramsRow).toContainText("params.json");
  await expect(paramsRow).toContainText(`${params.length} B`);
  await expect(vocabRow).toContainText("1.5 KB");
  await expect(page.getByTestId("files-summary")).toHaveText(`2 files · 1.5 KB`);
  await expect(files.getByRole("link", { name: "Download all (.zip)" })).toHaveAttribute(
    "href",
    "/api/v1/projects/files-e2e/models/churn/versions/1.0.0/files.zip",
  );
  // Collapsing the folder hides its files
  await tree.getByRole("button", { name: "Collapse folder config" }).click();
  await expect(paramsRow).toHaveCount(0);
  await tree.getByRole("button", { name: "Expand folder config" }).click();
  await expect(paramsRow).toBeVisible();
  await shot(page, info, "files-02-uploaded");

  // Download one and check its bytes
  const downloading = page.waitForEvent("download");
  await paramsRow.getByRole("link", { name: "Download config/params.json" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("params.json");
  expect(await readFile(await download.path())).toEqual(params);

  // Select one, delete it with confirmation
  const deleteButton = files.getByRole("button", { name: /Delete selected/ });
  await expect(deleteButton).toBeDisabled();
  await vocabRow.getByRole("checkbox", { name: "Select config/vocab.txt" }).check();
  await expect(deleteButton).toHaveText("Delete selected (1)");
  await deleteButton.click();
  const dialog = page.getByRole("dialog", { name: "Delete 1 file?" });
  await expect(dialog.getByText("config/vocab.txt")).toBeVisible();
  await shot(page, info, "files-03-confirm-delete");
  await dialog.getByRole("button", { name: "Delete 1 file" }).click();
  await expect(dialog).toBeHidden();
  await expect(vocabRow).toHaveCount(0);
  await expect(paramsRow).toBeVisible();
  await expect(page.getByTestId("files-summary")).toHaveText(`1 file · ${params.length} B`);
  await expect(tree.getByTestId("folder-row")).toContainText("1 file");
  // The server agrees
  const gone = await page.request.get(
    "/api/v1/projects/files-e2e/models/churn/versions/1.0.0/files/config/vocab.txt",
  );
  expect(gone.status()).toBe(404);
  await files.getByRole("button", { name: "Clear finished" }).click();
  await expect(uploads).toHaveCount(0);
  await shot(page, info, "files-04-after-delete");
});

test("create a version and upload its files in one go; a failed upload is listed on the version", async ({
  page,
}, info) => {
  await createModel(page.request, "files-e2e-create", "fraud");
  await page.goto("/projects/files-e2e-create/models/fraud/versions/new");
  await page.getByLabel("Version", { exact: false }).first().fill("0.1.0");
  await expect(page.getByRole("button", { name: "Create version" })).toBeVisible();
  await page.getByLabel("Subfolder").fill("weights");
  await page.getByTestId("file-input").setInputFiles([
    { name: "model.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(2048, 1) },
    { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("notes") },
  ]);
  await expect(page.getByText("2 files to upload once the version is created")).toBeVisible();
  await shot(page, info, "files-05-create-and-upload");

  // Hold one upload on its way for a moment to see the progress; make the other fail.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/files/weights/model.bin", async (route) => {
    await held;
    await route.continue();
  });
  await page.route("**/files/weights/notes.txt", (route) =>
    route.fulfill({
      status: 507,
      contentType: "application/json",
      body: JSON.stringify({ error: { code: "INSUFFICIENT_STORAGE", message: "The storage is full." } }),
    }),
  );
  await page.getByRole("button", { name: "Create & upload" }).click();
  await expect(page.getByText("Version 0.1.0 created")).toBeVisible();
  const uploads = page.getByRole("table", { name: "Uploads" });
  await expect(uploads.getByRole("button", { name: "Cancel upload of weights/model.bin" })).toBeVisible();
  await expect(uploads.getByText("The storage is full.")).toBeVisible();
  await shot(page, info, "files-06-uploading");
  release();

  await expect(page).toHaveURL(/\/projects\/files-e2e-create\/models\/fraud\/versions\/0\.1\.0$/);
  const tree = page.getByRole("table", { name: "Files" });
  await expect(tree.locator('[data-path="weights/model.bin"]')).toContainText("2 KB");
  await expect(page.getByTestId("files-summary")).toHaveText("1 file · 2 KB");
  const failed = page.getByRole("alert").filter({ hasText: "1 file was not uploaded" });
  await expect(failed).toContainText("weights/notes.txt: The storage is full.");
  await shot(page, info, "files-07-created-with-a-failure");
  await failed.getByRole("button", { name: "Dismiss" }).click();
  await expect(failed).toHaveCount(0);
});

test("upload a nested folder: paths are kept, and replacing asks first", async ({ page }, info) => {
  const modelId = await createModel(page.request, "files-e2e-folder", "ranker");
  await createVersion(page.request, modelId, "1.0.0");
  // model-dir/{a,b}/config.yaml: the same name in two subfolders, plus a deeper file.
  const root = await mkdtemp(join(tmpdir(), "modelreg-e2e-"));
  const dir = join(root, "model-dir");
  try {
    await mkdir(join(dir, "a"), { recursive: true });
    await mkdir(join(dir, "b", "config"), { recursive: true });
    await writeFile(join(dir, "a", "config.yaml"), "lr: 0.1\n");
    await writeFile(join(dir, "b", "config.yaml"), "lr: 0.25\n");
    await writeFile(join(dir, "b", "config", "params.json"), '{"depth": 3}\n');

    await page.goto("/projects/files-e2e-folder/models/ranker/versions/1.0.0");
    const files = page.getByRole("region", { name: "Files" });
    await expect(files.getByRole("button", { name: "Upload folder" })).toBeVisible();
    await files.getByLabel("Subfolder").fill("weights");
    await page.getByTestId("folder-input").setInputFiles(dir);
    await expect(files.getByRole("table", { name: "Uploads" }).getByText("Uploaded")).toHaveCount(3);
    const tree = files.getByRole("table", { name: "Files" });
    for (const path of ["weights/model-dir/a/config.yaml", "weights/model-dir/b/config.yaml"]) {
      await expect(tree.locator(`[data-path="${path}"]`)).toContainText("config.yaml");
    }
    await expect(tree.locator('[data-path="weights/model-dir/b/config/params.json"]')).toBeVisible();
    await expect(page.getByTestId("files-summary")).toContainText("3 files");
    const base = "/api/v1/projects/files-e2e-folder/models/ranker/versions/1.0.0/files/weights/model-dir";
    expect(await (await page.request.get(`${base}/a/config.yaml`)).text()).toBe("lr: 0.1\n");
    expect(await (await page.request.get(`${base}/b/config.yaml`)).text()).toBe("lr: 0.25\n");
    await shot(page, info, "files-08-folder-uploaded");

    // The same folder again, changed: nothing is sent until answered; Skip keeps what is there.
    await writeFile(join(dir, "a", "config.yaml"), "lr: 0.5\n");
    await page.getByTestId("folder-input").setInputFiles(dir);
    const dialog = page.getByRole("dialog", { name: "Replace 3 files?" });
    await expect(dialog.getByText("weights/model-dir/a/config.yaml")).toBeVisible();
    await shot(page, info, "files-09-replace-prompt");
    await dialog.getByRole("button", { name: "Skip" }).click();
    await expect(dialog).toBeHidden();
    expect(await (await page.request.get(`${base}/a/config.yaml`)).text()).toBe("lr: 0.1\n");
    // Replace sends them.
    await page.getByTestId("folder-input").setInputFiles(dir);
    await dialog.getByRole("button", { name: "Replace" }).click();
    await expect(files.getByRole("table", { name: "Uploads" }).getByText("Uploaded")).toHaveCount(6);
    expect(await (await page.request.get(`${base}/a/config.yaml`)).text()).toBe("lr: 0.5\n");
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
