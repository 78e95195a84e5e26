import { MantineProvider } from "@mantine/core";
import { ModalsProvider } from "@mantine/modals";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { Client, fetchExchange, Provider as UrqlProvider } from "urql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { Layout } from "../components/Layout";
import { type Session, SessionContext } from "../components/Session";
import { formatAge } from "../lib/inbox";
import InboxPage from "./InboxPage";

// jsdom has no document.fonts; Mantine's autosizing textarea (the reject comment) listens on it.
if (!("fonts" in document)) {
  Object.defineProperty(document, "fonts", { value: { addEventListener: () => {}, removeEventListener: () => {} } });
}

const fetchMock = vi.fn<typeof fetch>();
beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

function sent(call: Parameters<typeof fetch>): { query: string; variables: Record<string, unknown> } {
  const [url, init] = call;
  if (init?.body) return JSON.parse(String(init.body)) as { query: string; variables: Record<string, unknown> };
  const params = new URL(String(url), "http://localhost").searchParams;
  return { query: params.get("query") ?? "", variables: JSON.parse(params.get("variables") ?? "{}") as Record<string, unknown> };
}

function answer(body: unknown) {
  return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
}

const request = (id: string, requester: string, version: string, targetStage: string, actions: string[], comment = "") => ({
  __typename: "TransitionRequestType",
  id,
  targetStage,
  requester,
  comment,
  status: "PENDING",
  archiveExisting: false,
  createdAt: new Date(Date.now() - 3 * 3600 * 1000).toISOString(),
  availableActions: actions,
  version: {
    __typename: "ModelVersion",
    id: `V${id}`,
    version,
    stage: "STAGING",
    model: {
      __typename: "RegisteredModel",
      id: `M${id}`,
      name: "churn",
      project: { __typename: "Project", id: "P1", path: "demo", name: "Demo" },
    },
  },
});

const connection = (nodes: unknown[]) => ({
  __typename: "TransitionRequestConnection",
  totalCount: nodes.length,
  edges: nodes.map((node) => ({ __typename: "TransitionRequestEdge", node })),
  pageInfo: { __typename: "PageInfo", hasNextPage: false, endCursor: null },
});

/** Answers by operation: the badge's count, the inbox, and the reject mutation. */
function server({ count = 1 }: { count?: number } = {}) {
  const state = { count, rejected: null as null | Record<string, unknown> };
  fetchMock.mockImplementation(async (...call) => {
    const { query, variables } = sent(call);
    if (query.includes("query InboxCount")) return answer({ data: { inboxCount: state.count } });
    if (query.includes("query Inbox")) {
      const toApprove = state.rejected ? [] : [request("R1", "rita", "2.0.0", "PRODUCTION", ["APPROVE", "REJECT"], "AUC +2%")];
      return answer({
        data: {
          inbox: {
            __typename: "Inbox",
            toApprove: connection(toApprove),
            ownRequests: connection([request("R2", "mia", "1.1.0", "STAGING", ["CANCEL"])]),
          },
        },
      });
    }
    if (query.includes("mutation RejectTransitionRequest")) {
      state.rejected = variables.input as Record<string, unknown>;
      state.count = 0;
      return answer({
        data: {
          rejectTransitionRequest: {
            __typename: "TransitionRequestPayload",
            transitionRequest: { __typename: "TransitionRequestType", id: "R1", status: "REJECTED" },
            errors: [],
          },
        },
      });
    }
    throw new Error(`unexpected request: ${query}`);
  });
  return state;
}

const mia = { id: "1", username: "mia", displayName: "Mia", isAdmin: false };

function renderApp(user: Session["user"], path = "/-/inbox") {
  const session: Session = { user, known: true, restart: vi.fn() };
  const client = new Client({ url: "http://localhost/graphql", exchanges: [fetchExchange] });
  const router = createMemoryRouter(
    [
      {
        element: <Layout />,
        children: [
          { path: "-/inbox", element: <InboxPage /> },
          { path: "sign-in", element: <p>Sign-in page</p> },
          { path: "*", element: <p>Elsewhere</p> },
        ],
      },
    ],
    { initialEntries: [path] },
  );
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

describe("the inbox badge", () => {
  it("shows how many requests wait, and counts again when the window regains focus", async () => {
    const state = server({ count: 2 });
    renderApp(mia, "/projects");
    const link = await screen.findByRole("link", { name: "Inbox: 2 requests to approve" });
    expect(link.getAttribute("href")).toBe("/-/inbox");
    expect(within(link).getByTestId("inbox-count").textContent).toBe("2");

    state.count = 1;
    act(() => void window.dispatchEvent(new Event("focus")));
    await screen.findByRole("link", { name: "Inbox: 1 request to approve" });
  });

  it("has no count when nothing waits, and is absent when signed out", async () => {
    server({ count: 0 });
    renderApp(mia, "/projects");
    const link = await screen.findByRole("link", { name: "Inbox: 0 requests to approve" });
    expect(within(link).queryByTestId("inbox-count")).toBeNull();
  });

  it("is not in the header of an anonymous visitor", async () => {
    server();
    renderApp(null, "/projects");
    await screen.findByText("Elsewhere");
    expect(screen.queryByTestId("inbox-link")).toBeNull();
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe("InboxPage", () => {
  it("lists requests to approve and the viewer's own, linking to the versions", async () => {
    server();
    renderApp(mia);
    const toApprove = await screen.findByRole("region", { name: "To approve" });
    const row = await within(toApprove).findByTestId("inbox-request");
    expect(row.textContent).toContain("rita");
    expect(row.textContent).toContain("AUC +2%");
    expect(row.textContent).toContain("3 hours ago");
    expect(within(row).getByRole("link", { name: "2.0.0" }).getAttribute("href")).toBe(
      "/projects/demo/models/churn/versions/2.0.0",
    );
    expect(within(row).getByRole("button", { name: "Approve" })).toBeTruthy();
    const own = screen.getByRole("region", { name: "Your requests" });
    const mine = within(own).getByTestId("inbox-request");
    expect(within(mine).getByRole("button", { name: "Cancel" })).toBeTruthy();
    expect(within(mine).queryByRole("button", { name: "Approve" })).toBeNull();
    expect(within(mine).getByTestId("awaiting-approval")).toBeTruthy();
  });

  it("rejects with a comment, then the request leaves and the badge counts again", async () => {
    const state = server();
    renderApp(mia);
    const toApprove = await screen.findByRole("region", { name: "To approve" });
    fireEvent.click(await within(toApprove).findByRole("button", { name: "Reject" }));
    const dialog = await screen.findByRole("dialog");
    fireEvent.change(within(dialog).getByLabelText(/Comment/), { target: { value: "needs a holdout set" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Reject request" }));

    await waitFor(() => expect(state.rejected).toEqual({ id: "R1", comment: "needs a holdout set" }));
    await within(toApprove).findByText("Nothing waits on you.");
    await screen.findByRole("link", { name: "Inbox: 0 requests to approve" });
  });

  it("sends an anonymous visitor to sign in", async () => {
    server();
    renderApp(null);
    await screen.findByText("Sign-in page");
  });
});

describe("formatAge", () => {
  it("reads in the largest whole unit", () => {
    const now = Date.parse("2026-12-03T12:00:00Z");
    expect(formatAge("2026-12-03T11:59:30Z", now)).toBe("just now");
    expect(formatAge("2026-12-03T11:59:00Z", now)).toBe("1 minute ago");
    expect(formatAge("2026-12-03T11:15:00Z", now)).toBe("45 minutes ago");
    expect(formatAge("2026-12-03T09:00:00Z", now)).toBe("3 hours ago");
    expect(formatAge("2026-12-01T12:00:00Z", now)).toBe("2 days ago");
    expect(formatAge("not a date", now)).toBe("just now");
  });
});
