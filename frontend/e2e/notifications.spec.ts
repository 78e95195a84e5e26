import {
  addMember,
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

// The e-mail settings story: nell (a reporter) finds Notifications in her user menu, gives an
// address and a default level, both of which survive a reload; an address the server refuses is
// shown by the field and not kept. On a model page she mutes the model; on a version page she
// follows the version and unfollows it again.

test.afterEach(async ({ page }) => {
  await deleteProjects(page.request, ["notify-e2e"]);
});

test("a user sets her address and levels, mutes a model and follows a version", async ({ browser, page }, info) => {
  test.setTimeout(120_000);
  const api = page.request;
  await createUser(api, "nell", "Nell Notified");
  const projectId = await createProject(api, "notify-e2e");
  await addMember(api, projectId, "nell", "REPORTER");
  const modelId = await createModel(api, projectId, "fraud");
  await createVersion(api, modelId, "2.1.0");

  const { context, page: nell } = await signedInContext(browser, "nell");
  try {
    // The user menu leads to the Notifications tab.
    await nell.getByTestId("user-menu").click();
    await nell.getByRole("menuitem", { name: "Notifications" }).click();
    await expect(nell).toHaveURL(/\/-\/user\/notifications$/);
    await expect(nell.getByRole("tab", { name: "Notifications" })).toHaveAttribute("aria-selected", "true");

    // No address yet, the default level is Participating.
    const address = nell.getByRole("textbox", { name: "E-mail address" });
    const save = nell.getByRole("button", { name: "Save address" });
    await expect(address).toHaveValue("");
    await expect(save).toBeDisabled();
    await expect(nell.getByRole("radio", { name: /Participating/ })).toBeChecked();

    // An address and the Follow all level.
    await address.fill("nell@example.org");
    await save.click();
    await expect(nell.getByText("E-mail address saved.")).toBeVisible();
    await expect(save).toBeDisabled(); // the saved address is the form's starting point now
    // The radio shows the server's answer, so it turns on once the mutation is back.
    await nell.getByRole("radio", { name: /Follow all/ }).click();
    await expect(nell.getByText("Default e-mail level: Follow all.")).toBeVisible();
    await expect(nell.getByRole("radio", { name: /Follow all/ })).toBeChecked();
    await shot(nell, info, "notifications-01-settings");

    // Both are read back after a reload.
    await nell.reload();
    await expect(address).toHaveValue("nell@example.org");
    await expect(nell.getByRole("radio", { name: /Follow all/ })).toBeChecked();
    await expect(nell.getByRole("radio", { name: /Participating/ })).not.toBeChecked();

    // The browser takes "nell@example" for an address; the server wants a dotted domain, says so
    // by the field, and keeps the old address.
    await address.fill("nell@example");
    await save.click();
    await expect(nell.getByText("'nell@example' is not an e-mail address")).toBeVisible();
    await expect(address).toHaveAttribute("aria-invalid", "true");
    await shot(nell, info, "notifications-02-refused");
    await nell.reload();
    await expect(address).toHaveValue("nell@example.org");
    await expect(nell.getByText("is not an e-mail address")).toHaveCount(0);

    // The model page offers the level for this model; its default names hers (Follow all).
    await nell.goto("/projects/notify-e2e/models/fraud");
    const level = nell.getByRole("combobox", { name: "E-mail notifications for this model" });
    await expect(level).toHaveValue("Default (Follow all)");
    await level.click();
    await nell.getByRole("option", { name: "Muted" }).click();
    await expect(nell.getByText("E-mail: Muted.")).toBeVisible();
    await expect(level).toHaveValue("Muted");
    await nell.reload();
    await expect(level).toHaveValue("Muted");
    await shot(nell, info, "notifications-03-model-muted");

    // The version page: Follow, Following (still after a reload), and Follow again.
    await nell.goto("/projects/notify-e2e/models/fraud/versions/2.1.0");
    const follow = nell.getByTestId("follow-version");
    await expect(follow).toHaveText("Follow");
    await expect(follow).toHaveAttribute("aria-pressed", "false");
    await follow.click();
    await expect(follow).toHaveText("Following");
    await expect(follow).toHaveAttribute("aria-pressed", "true");
    await nell.reload();
    await expect(follow).toHaveText("Following");
    await shot(nell, info, "notifications-04-following");
    await follow.click();
    await expect(follow).toHaveText("Follow");
    await nell.reload();
    await expect(follow).toHaveText("Follow");
    await expect(follow).toHaveAttribute("aria-pressed", "false");
  } finally {
    await context.close();
  }
});
