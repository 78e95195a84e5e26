import {
  createModel,
  createProject,
  createUser,
  createVersion,
  deleteProjects,
  expect,
  shot,
  signedInContext,
  test,
} from "./support";

// Who sees and may do what, with real accounts in browser contexts of their own:
// the owner adds members on the members page; an outsider does not learn the private project
// exists; a reporter may request Production but not approve it; a maintainer approves it.

const PROJECT = "permissions-e2e";
const VERSION_URL = `/projects/${PROJECT}/models/churn/versions/1.0.0`;

test.afterEach(async ({ page }) => {
  await deleteProjects(page.request, [PROJECT]);
});

test("members and roles: outsider sees nothing, reporter requests, maintainer approves", async ({
  browser,
  page,
}, info) => {
  // Three people in browser contexts of their own: more than the default minute on a slow machine.
  test.setTimeout(150_000);
  // The admin creates the accounts and, as the project's creator, owns it.
  const api = page.request;
  await createUser(api, "rita", "Rita Reporter");
  await createUser(api, "max", "Max Maintainer");
  await createUser(api, "otto", "Otto Outsider");
  const projectId = await createProject(api, PROJECT, "PRIVATE");
  const modelId = await createModel(api, projectId, "churn");
  await createVersion(api, modelId, "1.0.0");

  // The owner adds rita as Reporter and max as Developer on the members page, picking them from
  // the username suggestions, then makes max a Maintainer.
  await page.goto(`/projects/${PROJECT}`);
  await page.getByRole("link", { name: "Members" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${PROJECT}/settings/members$`));
  const add = page.getByRole("region", { name: "Add a member" });
  for (const [prefix, username, role] of [
    ["ri", "rita", "Reporter"],
    ["ma", "max", "Developer"],
  ] as const) {
    await add.getByLabel("Username").fill(prefix);
    await page.getByRole("option", { name: new RegExp(username) }).click();
    await expect(add.getByLabel("Username")).toHaveValue(username);
    await add.getByRole("combobox", { name: "Role" }).click();
    await page.getByRole("option", { name: role, exact: true }).click();
    await add.getByRole("button", { name: "Add member" }).click();
    await expect(page.locator(`[data-testid="member-row"][data-username="${username}"]`)).toBeVisible();
  }
  const members = page.getByRole("table", { name: "Members" });
  await members.getByRole("combobox", { name: "Role of max" }).click();
  await page.getByRole("option", { name: "Maintainer", exact: true }).click();
  await expect(page.getByText("max is now Maintainer.")).toBeVisible();
  await expect(members.getByRole("combobox", { name: "Role of max" })).toHaveValue("Maintainer");
  await expect(members.getByRole("combobox", { name: "Role of rita" })).toHaveValue("Reporter");
  await expect(members.getByRole("combobox", { name: "Role of admin" })).toHaveValue("Owner");
  await shot(page, info, "permissions-01-members");

  // Visibility is an owner's setting, explained on the settings page.
  await page.getByRole("tab", { name: "General" }).click();
  await expect(page.getByRole("radio", { name: "Private" })).toBeChecked();
  await expect(page.getByText("Only members see the project.")).toBeVisible();

  const outsider = await signedInContext(browser, "otto");
  const reporter = await signedInContext(browser, "rita");
  const maintainer = await signedInContext(browser, "max");
  try {
    // The outsider: the private project is not listed, and its URLs say "not found".
    const o = outsider.page;
    await o.goto("/");
    await expect(o.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
    await expect(o.getByText("No projects yet")).toBeVisible();
    await expect(o.getByRole("link", { name: PROJECT })).toHaveCount(0);
    await o.goto(`/projects/${PROJECT}`);
    await expect(o.getByText(`Project “${PROJECT}” not found`)).toBeVisible();
    await shot(o, info, "permissions-02-outsider-not-found");
    await o.goto(VERSION_URL);
    await expect(o.getByText("Version “1.0.0” not found")).toBeVisible();

    // The reporter sees the project and their role; owner-only controls are disabled with the reason.
    const r = reporter.page;
    await r.goto("/");
    await expect(r.getByRole("link", { name: PROJECT })).toBeVisible();
    await r.getByRole("link", { name: PROJECT }).click();
    await expect(r.getByTestId("viewer-role")).toHaveText("Reporter");
    const settings = r.getByRole("button", { name: "Settings" });
    await expect(settings).toBeDisabled();
    await expect(settings).toHaveAccessibleDescription(/OWNER role/);
    await settings.hover();
    await expect(r.getByRole("tooltip")).toContainText("you need the OWNER role or higher in this project");
    await expect(r.getByRole("button", { name: "Create model" })).toBeEnabled();
    await shot(r, info, "permissions-03-reporter-project");

    // On the version: a request, never a direct transition; no aliases.
    await r.goto(VERSION_URL);
    const lifecycle = r.getByRole("region", { name: "Lifecycle" });
    await expect(lifecycle.getByTestId("stage-badge").first()).toHaveText("None");
    await expect(lifecycle.getByRole("button", { name: "Change stage" })).toHaveCount(0);
    await expect(lifecycle.getByRole("textbox", { name: "New alias" })).toHaveCount(0);
    await expect(lifecycle.getByText(/To manage aliases you need the DEVELOPER role/)).toBeVisible();
    await lifecycle.getByRole("button", { name: "Request transition" }).click();
    const dialog = r.getByRole("dialog");
    await expect(dialog.getByRole("combobox", { name: "Target stage" })).toHaveValue("Production");
    await expect(dialog.getByTestId("request-explanation")).toContainText(
      "Moving it to Production needs the Maintainer role or higher in this project.",
    );
    await dialog.getByLabel("Comment").fill("Ready for Production.");
    await shot(r, info, "permissions-04-reporter-request-dialog");
    await dialog.getByRole("button", { name: "Request transition" }).click();
    await expect(dialog).toBeHidden();
    const request = lifecycle.getByTestId("transition-request");
    await expect(request).toContainText("rita");
    await expect(request).toContainText("Production");
    // Approving is not offered to the reporter; cancelling their own request is.
    await expect(request.getByRole("button", { name: "Approve" })).toHaveCount(0);
    await expect(request.getByRole("button", { name: "Reject" })).toHaveCount(0);
    await expect(request.getByRole("button", { name: "Cancel" })).toBeVisible();
    await expect(request.getByTestId("awaiting-approval")).toBeVisible();
    await shot(r, info, "permissions-05-reporter-requested");

    // The maintainer approves it.
    const m = maintainer.page;
    await m.goto(VERSION_URL);
    const mLifecycle = m.getByRole("region", { name: "Lifecycle" });
    await expect(mLifecycle.getByRole("button", { name: "Change stage" })).toBeVisible();
    const mRequest = mLifecycle.getByTestId("transition-request");
    await expect(mRequest).toContainText("rita");
    await mRequest.getByRole("button", { name: "Approve" }).click();
    const approve = m.getByRole("dialog");
    await approve.getByLabel("Comment").fill("Approved.");
    await approve.getByRole("button", { name: "Approve" }).click();
    await expect(approve).toBeHidden();
    await expect(mLifecycle.getByTestId("stage-badge").first()).toHaveText("Production");
    await shot(m, info, "permissions-06-maintainer-approved");

    // In Production the version is the maintainers' to change: the reporter's page follows
    // (live) and now offers no edits, with the reason.
    await expect(lifecycle.getByTestId("stage-badge").first()).toHaveText("Production", { timeout: 8_000 });
    await expect(request).toHaveCount(0);
    const deleteVersion = r.getByRole("button", { name: "Delete version" });
    await expect(deleteVersion).toBeDisabled();
    await expect(deleteVersion).toHaveAccessibleDescription(/MAINTAINER role/);
    await expect(r.getByTestId("file-input")).toHaveCount(0);
    await expect(r.getByRole("region", { name: "Files" }).getByTestId("not-allowed")).toContainText(
      "MAINTAINER role",
    );
    await shot(r, info, "permissions-07-reporter-after-approval");

    // The owner makes the project Internal: now the outsider finds it, read-only.
    await page.goto(`/projects/${PROJECT}/settings`);
    await page.getByRole("radio", { name: "Internal" }).check();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText("Project saved.")).toBeVisible();
    await o.goto("/");
    await o.getByRole("link", { name: PROJECT }).click();
    await expect(o.getByRole("heading", { name: PROJECT })).toBeVisible();
    const createModel = o.getByRole("button", { name: "Create model" });
    await expect(createModel).toBeDisabled();
    await expect(createModel).toHaveAccessibleDescription(/you are not a member/);
    await o.getByRole("link", { name: "Members" }).click();
    await expect(o.getByTestId("member-row")).toHaveCount(3);
    await expect(o.getByRole("combobox", { name: /Role of/ })).toHaveCount(0);
    await expect(o.getByRole("button", { name: "Add member" })).toHaveCount(0);
    await expect(o.getByTestId("not-allowed")).toContainText("OWNER role");
    await shot(o, info, "permissions-08-outsider-internal-members");
  } finally {
    await outsider.context.close();
    await reporter.context.close();
    await maintainer.context.close();
  }
});
