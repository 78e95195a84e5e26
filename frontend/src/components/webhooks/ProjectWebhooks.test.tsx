import { MantineProvider } from "@mantine/core";
import { ModalsProvider } from "@mantine/modals";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { Client, fetchExchange, Provider as UrqlProvider } from "urql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { type Session, SessionContext } from "../Session";
import { ProjectWebhooks } from "./ProjectWebhooks";

if (!("fonts" in document)) {
  Object.defineProperty(document, "fonts", { value: { addEventListener: () => {}, removeEventListener: () => {} } });
}

const fetchMock = vi.fn<typeof fetch>();
beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

type Sent = { query: string; variables: Record<string, unknown> };

function sent(call: Parameters<typeof fetch>): Sent {
  const [url, init] = call;
  if (init?.body) return JSON.parse(String(init.body)) as Sent;
  const params = new URL(String(url), "http://localhost").searchParams;
  return { query: params.get("query") ?? "", variables: JSON.parse(params.get("variables") ?? "{}") as Record<string, unknown> };
}

const answer = (body: unknown) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

const SECRET = "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0cw==";
const TOPICS = ["model.created", "version.created", "version.stage_changed", "version.stage_changed.production"];

const hook = (fields: Record<string, unknown> = {}) => ({
  __typename: "Webhook",
  id: "W1",
  url: "https://deploy.example.com/hook",
  description: "deploys",
  events: ["version.stage_changed.production"],
  status: "ACTIVE",
  secretHint: "…cw==",
  previousSecretValidUntil: null,
  consecutiveFailures: 0,
  disabledReason: "",
  modelFilter: null,
  model: null,
  createdBy: "mia",
  createdAt: "2026-12-03T10:00:00Z",
  lastDelivery: { __typename: "WebhookDelivery", id: "D9", status: "FAILED", topic: "webhook.test", lastStatusCode: 500, createdAt: "2026-12-03T11:00:00Z" },
  ...fields,
});

const delivery = (id: string, fields: Record<string, unknown> = {}) => ({
  __typename: "WebhookDelivery",
  id,
  eventId: 42,
  topic: "version.created",
  messageId: `msg_${id}`,
  status: "FAILED",
  attemptCount: 2,
  nextAttemptAt: null,
  lastStatusCode: 500,
  lastError: "",
  requestedBy: null,
  body: '{"type":"version.created","id":42}',
  createdAt: "2026-12-03T11:00:00Z",
  finishedAt: "2026-12-03T11:01:00Z",
  attempts: [
    { __typename: "WebhookAttempt", attempt: 1, startedAt: "2026-12-03T11:00:00Z", durationMs: 31, statusCode: 503, error: "", responseExcerpt: "busy" },
    { __typename: "WebhookAttempt", attempt: 2, startedAt: "2026-12-03T11:00:05Z", durationMs: 12, statusCode: 500, error: "", responseExcerpt: "boom" },
  ],
  ...fields,
});

interface State {
  hooks: ReturnType<typeof hook>[];
  calls: Sent[];
  createErrors: unknown[];
}

function server(initial: ReturnType<typeof hook>[] = []): State {
  const state: State = { hooks: initial, calls: [], createErrors: [] };
  fetchMock.mockImplementation(async (...call) => {
    const request = sent(call);
    state.calls.push(request);
    const { query, variables } = request;
    if (query.includes("query ProjectWebhooks")) {
      return answer({
        data: {
          webhookTopics: TOPICS,
          project: {
            __typename: "Project",
            id: "P1",
            path: "demo",
            models: { __typename: "RegisteredModelConnection", edges: [{ __typename: "RegisteredModelEdge", node: { __typename: "RegisteredModel", id: "M1", name: "churn" } }] },
            webhooks: state.hooks,
          },
        },
      });
    }
    if (query.includes("mutation CreateWebhook")) {
      if (state.createErrors.length) {
        return answer({ data: { createWebhook: { __typename: "WebhookWithSecretPayload", webhook: null, secret: null, errors: state.createErrors } } });
      }
      const input = variables.input as Record<string, unknown>;
      const created = hook({ url: input.url, events: input.events, description: input.description, lastDelivery: null });
      state.hooks = [created];
      return answer({ data: { createWebhook: { __typename: "WebhookWithSecretPayload", webhook: created, secret: SECRET, errors: [] } } });
    }
    if (query.includes("query WebhookDeliveries")) {
      return answer({
        data: {
          node: {
            __typename: "Webhook",
            id: "W1",
            deliveries: {
              __typename: "WebhookDeliveryConnection",
              edges: [{ __typename: "WebhookDeliveryEdge", node: delivery("D1") }],
              pageInfo: { __typename: "PageInfo", hasNextPage: false, endCursor: null },
            },
          },
        },
      });
    }
    if (query.includes("mutation SendTestWebhook")) {
      return answer({ data: { sendTestWebhook: { __typename: "WebhookDeliveryPayload", delivery: { __typename: "WebhookDelivery", id: "D2", status: "PENDING", topic: "webhook.test" }, errors: [] } } });
    }
    if (query.includes("mutation RedeliverWebhookDelivery")) {
      return answer({ data: { redeliverWebhookDelivery: { __typename: "WebhookDeliveryPayload", delivery: { __typename: "WebhookDelivery", id: "D3", status: "PENDING", topic: "version.created", eventId: 42 }, errors: [] } } });
    }
    if (query.includes("mutation ReplayEvents")) {
      return answer({ data: { replayEvents: { __typename: "ReplayEventsPayload", count: 1000, lastEventId: 1500, complete: false, errors: [] } } });
    }
    throw new Error(`unexpected request: ${query}`);
  });
  return state;
}

function renderList(allowed = true) {
  const session: Session = { user: { id: "1", username: "mia", displayName: "Mia", isAdmin: false }, known: true, restart: vi.fn() };
  const client = new Client({ url: "http://localhost/graphql", exchanges: [fetchExchange] });
  const verdict = allowed ? { allowed: true, reason: null } : { allowed: false, reason: "To manage webhooks you need the MAINTAINER role." };
  const router = createMemoryRouter([{ path: "*", element: <ProjectWebhooks path="demo" verdict={verdict} /> }]);
  render(
    <MantineProvider>
      <ModalsProvider>
        <UrqlProvider value={client}>
          <SessionContext.Provider value={session}>
            <RouterProvider router={router} />
          </SessionContext.Provider>
        </UrqlProvider>
      </ModalsProvider>
    </MantineProvider>,
  );
}

const mutations = (state: State, name: string) => state.calls.filter((c) => c.query.includes(`mutation ${name}`));

describe("the webhook form", () => {
  it("creates a webhook, warns of http://, and shows the secret once", async () => {
    const state = server();
    renderList();
    await screen.findByText("No webhooks yet");
    fireEvent.click(screen.getByRole("button", { name: "New webhook" }));
    const dialog = await screen.findByRole("dialog");
    const url = within(dialog).getByLabelText(/^URL/);
    fireEvent.change(url, { target: { value: "http://deploy.example.com/hook" } });
    expect(within(dialog).getByTestId("insecure-url").textContent).toContain("unencrypted");
    fireEvent.change(url, { target: { value: "https://deploy.example.com/hook" } });
    expect(within(dialog).queryByTestId("insecure-url")).toBeNull();

    const events = within(dialog).getByLabelText(/Event types/);
    events.focus(); // Mantine ignores changes to an input without focus (autofill)
    fireEvent.change(events, { target: { value: "model.*" } });
    fireEvent.keyDown(events, { key: "," });
    await waitFor(() => expect(within(dialog).getByText("model.*")).toBeTruthy());
    fireEvent.click(within(dialog).getByRole("button", { name: "Create webhook" }));

    await waitFor(() => expect(mutations(state, "CreateWebhook")).toHaveLength(1));
    expect(mutations(state, "CreateWebhook")[0]?.variables.input).toEqual({
      projectId: "P1",
      url: "https://deploy.example.com/hook",
      description: "",
      events: ["version.stage_changed.production", "model.*"],
      modelId: null,
      status: "ACTIVE",
    });
    const reveal = await screen.findByRole("dialog", { name: "The webhook's signing secret" });
    expect(within(reveal).getByLabelText("webhook secret").textContent).toBe(SECRET);
    expect(within(reveal).getByText(/shown only once/)).toBeTruthy();
    fireEvent.click(within(reveal).getByRole("button", { name: "I have stored it" }));
    await waitFor(() => expect(screen.queryByText(SECRET)).toBeNull());
    const card = await screen.findByTestId("webhook");
    expect(within(card).getByTestId("webhook-url").textContent).toBe("https://deploy.example.com/hook");
    expect(card.textContent).not.toContain(SECRET);
  });

  it("shows the server's refusal next to its field and keeps the dialog open", async () => {
    const state = server();
    state.createErrors = [{ __typename: "UserError", code: "INVALID_ARGUMENT", field: "url", message: "A webhook URL names a host." }];
    renderList();
    fireEvent.click(await screen.findByRole("button", { name: "New webhook" }));
    const dialog = await screen.findByRole("dialog");
    fireEvent.change(within(dialog).getByLabelText(/^URL/), { target: { value: "https://" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Create webhook" }));
    await within(dialog).findByText("A webhook URL names a host.");
    expect(screen.getByRole("dialog")).toBeTruthy();
  });

  it("flags an event pattern that matches no event type", async () => {
    server();
    renderList();
    fireEvent.click(await screen.findByRole("button", { name: "New webhook" }));
    const dialog = await screen.findByRole("dialog");
    const events = within(dialog).getByLabelText(/Event types/);
    events.focus();
    fireEvent.change(events, { target: { value: "versoin.created" } });
    fireEvent.keyDown(events, { key: "," });
    await within(dialog).findByText("No event type matches 'versoin.created'.");
  });

  it("says why a non-maintainer sees no webhooks, without asking the server", async () => {
    server();
    renderList(false);
    await screen.findByText(/need the MAINTAINER role/);
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe("the delivery log", () => {
  it("lists deliveries with their attempts and body, redelivers, sends a test and replays", async () => {
    const state = server([hook()]);
    renderList();
    const card = await screen.findByTestId("webhook");
    expect(within(card).getByTestId("last-delivery").textContent).toBe("Failed (500)");
    fireEvent.click(within(card).getByRole("button", { name: "Deliveries" }));
    const row = await within(card).findByTestId("delivery-row");
    expect(within(row).getByTestId("delivery-status").textContent).toBe("FAILED");
    expect(row.textContent).toContain("version.created");
    expect(row.textContent).toContain("42");

    fireEvent.click(within(row).getByRole("button", { name: "Details" }));
    const details = await within(card).findByTestId("delivery-details");
    const attempts = within(details).getAllByTestId("delivery-attempt");
    expect(attempts.map((a) => a.textContent)).toEqual([
      expect.stringContaining("503") as unknown as string,
      expect.stringContaining("500") as unknown as string,
    ]);
    expect(attempts[0]?.textContent).toContain("31 ms");
    expect(attempts[0]?.textContent).toContain("busy");
    expect(within(details).getByTestId("delivery-body").textContent).toContain('"id": 42');

    fireEvent.click(within(row).getByRole("button", { name: "Redeliver" }));
    await waitFor(() => expect(mutations(state, "RedeliverWebhookDelivery")).toHaveLength(1));
    expect(mutations(state, "RedeliverWebhookDelivery")[0]?.variables.input).toEqual({ id: "D1" });

    fireEvent.click(within(card).getByRole("button", { name: "Send test event" }));
    await waitFor(() => expect(mutations(state, "SendTestWebhook")).toHaveLength(1));
    expect(mutations(state, "SendTestWebhook")[0]?.variables.input).toEqual({ id: "W1" });

    const from = within(card).getByLabelText(/Replay events from id/);
    fireEvent.change(from, { target: { value: "abc" } });
    fireEvent.click(within(card).getByRole("button", { name: "Replay" }));
    await within(card).findByText(/a whole number from 1/);
    expect(mutations(state, "ReplayEvents")).toHaveLength(0);
    fireEvent.change(from, { target: { value: "500" } });
    fireEvent.click(within(card).getByRole("button", { name: "Replay" }));
    await waitFor(() => expect(mutations(state, "ReplayEvents")).toHaveLength(1));
    expect(mutations(state, "ReplayEvents")[0]?.variables.input).toEqual({ webhookId: "W1", fromEventId: 500 });
    await screen.findByText(/replay again from 1501/);
  });

  it("offers no sending for a disabled webhook, and says why the registry disabled it", async () => {
    server([hook({ status: "DISABLED", disabledReason: "5 deliveries in a row failed." })]);
    renderList();
    const card = await screen.findByTestId("webhook");
    expect(within(card).getByTestId("disabled-reason").textContent).toContain("5 deliveries in a row failed.");
    fireEvent.click(within(card).getByRole("button", { name: "Deliveries" }));
    await within(card).findByTestId("delivery-row");
    expect((within(card).getByRole("button", { name: "Send test event" }) as HTMLButtonElement).disabled).toBe(true);
    expect((within(card).getByRole("button", { name: "Redeliver" }) as HTMLButtonElement).disabled).toBe(true);
  });
});
