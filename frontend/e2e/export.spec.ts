import { readFileSync } from "node:fs";

import { addMember, createModel, createProject, createUser, createVersion, deleteProjects, expect, shot, signedInContext, test } from "./support";

// A maintainer exports the project from its settings: the browser downloads a tar archive named
// after the project and the day, whose first member (header.json) names the project.

const PROJECT = "export-e2e";
const MAINTAINER = "mona-export";

test.afterEach(async ({ page }) => {
  await deleteProjects(page.request, [PROJECT]);
});

/** The tar's first member: its name (the 100-byte field of the first header) and its JSON. */
function firstMember(bytes: Buffer): { name: string; document: Record<string, unknown> } {
  const name = bytes.subarray(0, 100).toString("utf8").replace(/\0+$/, "");
  const size = parseInt(bytes.subarray(124, 136).toString("utf8").replace(/\0.*$/, "").trim(), 8);
  const document = JSON.parse(bytes.subarray(512, 512 + size).toString("utf8")) as Record<string, unknown>;
  return { name, document };
}

test("a maintainer downloads the project's archive from its settings", async ({ page, browser }, info) => {
  const projectId = await createProject(page.request, PROJECT, "PRIVATE");
  const modelId = await createModel(page.request, projectId, "churn");
  await createVersion(page.request, modelId, "1.0.0");
  await createUser(page.request, MAINTAINER);
  await addMember(page.request, projectId, MAINTAINER, "MAINTAINER");

  const { context, page: mona } = await signedInContext(browser, MAINTAINER);
  try {
    await mona.goto(`/projects/${PROJECT}/settings`);
    const section = mona.getByRole("region", { name: "Export" });
    await expect(section.getByTestId("latest-event")).toHaveText(/^Latest event: #\d+$/);
    await section.getByLabel("Some models").check();
    await section.getByRole("combobox", { name: "Models to export" }).click();
    await mona.getByRole("option", { name: "churn" }).click();
    await mona.keyboard.press("Escape");
    await shot(mona, info, "export-section");

    const downloading = mona.waitForEvent("download");
    await section.getByRole("button", { name: "Download archive" }).click();
    const download = await downloading;

    expect(download.suggestedFilename()).toMatch(new RegExp(`^${PROJECT}-\\d{8}\\.tar$`));
    const saved = info.outputPath("export.tar");
    await download.saveAs(saved);
    const { name, document } = firstMember(readFileSync(saved));
    expect(name).toBe("header.json");
    expect(document.selection).toEqual({ projects: [PROJECT], models: ["churn"] });
  } finally {
    await context.close();
  }
});
