import { createModel, createProject, deleteProjects, expect, shot, test } from "./support";

// A maintainer (the admin, who owns the project) manages a webhook on the project's settings:
// creates it (the secret shows once), sends a test event and watches the delivery appear in the
// log with its attempt: the receiver is a closed port on loopback, so the attempt fails.

const PROJECT = "webhooks-e2e";
// Nothing listens on port 9 (discard) here; the e2e server allows private addresses.
const RECEIVER = "http://127.0.0.1:9/hooks/modelreg";

test.afterEach(async ({ page }) => {
  await deleteProjects(page.request, [PROJECT]);
});

test("create a webhook, see its secret once, send a test event and see the failed delivery", async ({ page }, info) => {
  const projectId = await createProject(page.request, PROJECT, "PRIVATE");
  await createModel(page.request, projectId, "churn");

  await page.goto(`/projects/${PROJECT}/settings`);
  await page.getByRole("tab", { name: "Webhooks" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${PROJECT}/settings/webhooks$`));
  await expect(page.getByText("No webhooks yet")).toBeVisible();

  await page.getByRole("button", { name: "New webhook" }).click();
  const form = page.getByRole("dialog", { name: "New webhook" });
  await form.getByLabel("URL").fill(RECEIVER);
  await expect(form.getByTestId("insecure-url")).toBeVisible();
  const events = form.getByLabel("Event types");
  await events.fill("model.*");
  await events.press("Enter");
  await events.press("Escape"); // closes the suggestions, which cover the buttons
  await expect(form.getByText("model.*", { exact: true })).toBeVisible();
  await form.getByRole("button", { name: "Create webhook" }).click();

  const reveal = page.getByRole("dialog", { name: "The webhook's signing secret" });
  await expect(reveal.getByText("shown only once")).toBeVisible();
  const secret = (await reveal.getByLabel("webhook secret", { exact: true }).textContent()) ?? "";
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
  await shot(page, info, "webhook-secret");
  await reveal.getByRole("button", { name: "I have stored it" }).click();
  await expect(reveal).toBeHidden();

  const card = page.getByTestId("webhook");
  await expect(card.getByTestId("webhook-url")).toHaveText(RECEIVER);
  await expect(card.getByTestId("webhook-status")).toHaveText("Active");
  await expect(card).toContainText("model.*");
  await expect(card).toContainText(`secret …${secret.slice(-4)}`);
  await expect(page.getByText(secret)).toHaveCount(0);
  await expect(card.getByTestId("last-delivery")).toHaveText("No deliveries yet");

  await card.getByRole("button", { name: "Deliveries" }).click();
  await card.getByRole("button", { name: "Send test event" }).click();
  const row = card.getByTestId("delivery-row").first();
  await expect(row).toContainText("webhook.test");
  await expect(row).toContainText("by admin");
  // The worker tries at once; the closed port refuses, so the first attempt records an error.
  await expect(row.locator("td").nth(3)).toHaveText(/^[1-9]/, { timeout: 20_000 });
  await row.getByRole("button", { name: "Details" }).click();
  const details = card.getByTestId("delivery-details");
  await expect(details.getByTestId("delivery-attempt").first()).toBeVisible();
  await expect(details.getByTestId("delivery-body")).toContainText('"type": "webhook.test"');
  await shot(page, info, "webhook-deliveries");

  // Redeliver makes a second delivery of the same test.
  await row.getByRole("button", { name: "Redeliver" }).click();
  await expect(card.getByTestId("delivery-row")).toHaveCount(2);
});
