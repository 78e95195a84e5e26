import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { cacheExchange, Client, fetchExchange, Provider as UrqlProvider } from "urql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { type Session, SessionContext } from "../Session";
import { FollowButton } from "./FollowButton";
import { ModelNotificationSelect } from "./ModelNotificationSelect";
import { NotificationSettings } from "./NotificationSettings";

// jsdom has no scrollIntoView; Mantine's combobox scrolls the selected option into view.
Element.prototype.scrollIntoView ??= () => {};

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

function answer(data: unknown) {
  return new Response(JSON.stringify({ data }), { headers: { "content-type": "application/json" } });
}

/** A fake API answering by operation name; `calls` keeps every mutation's variables. */
function serve(handlers: Record<string, (variables: Record<string, unknown>) => unknown>) {
  const calls: Record<string, Record<string, unknown>[]> = {};
  fetchMock.mockImplementation(async (...call) => {
    const { query, variables } = sent(call);
    const name = /(?:query|mutation) (\w+)/.exec(query)?.[1] ?? "";
    const handler = handlers[name];
    if (!handler) throw new Error(`unexpected request: ${name}`);
    (calls[name] ??= []).push(variables);
    return answer(handler(variables));
  });
  return calls;
}

const rita = { id: "1", username: "rita", displayName: "Rita", isAdmin: false };

function renderAs(user: Session["user"], ui: ReactNode) {
  const session: Session = { user, known: true, restart: vi.fn() };
  const client = new Client({ url: "http://localhost/graphql", exchanges: [cacheExchange, fetchExchange] });
  // env="test": no transitions or portals, so a Select's options are there at once.
  return render(
    <MantineProvider env="test">
      <UrqlProvider value={client}>
        <SessionContext.Provider value={session}>{ui}</SessionContext.Provider>
      </UrqlProvider>
    </MantineProvider>,
  );
}

const errors: unknown[] = [];

describe("FollowButton", () => {
  it("follows, then shows Following, and unfollows again", async () => {
    let following = false;
    const version = () => ({ __typename: "ModelVersion", id: "V1", viewerFollowing: following });
    const calls = serve({
      VersionFollowing: () => ({ node: version() }),
      FollowVersion: () => {
        following = true;
        return { followVersion: { __typename: "FollowVersionPayload", modelVersion: version(), errors } };
      },
      UnfollowVersion: () => {
        following = false;
        return { unfollowVersion: { __typename: "FollowVersionPayload", modelVersion: version(), errors } };
      },
    });
    renderAs(rita, <FollowButton versionId="V1" />);
    fireEvent.click(await screen.findByRole("button", { name: "Follow" }));
    const button = await screen.findByRole("button", { name: "Following" });
    expect(button.getAttribute("aria-pressed")).toBe("true");
    expect(calls.FollowVersion).toEqual([{ input: { versionId: "V1" } }]);
    fireEvent.click(button);
    await screen.findByRole("button", { name: "Follow" });
    expect(calls.UnfollowVersion).toEqual([{ input: { versionId: "V1" } }]);
  });

  it("is not shown to anonymous viewers, who ask nothing", () => {
    serve({});
    renderAs(null, <FollowButton versionId="V1" />);
    expect(screen.queryByRole("button")).toBeNull();
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe("ModelNotificationSelect", () => {
  function model(level: string, explicit: boolean) {
    return { __typename: "RegisteredModel", id: "M1", viewerNotificationLevel: { __typename: "ModelNotificationLevel", level, explicit } };
  }

  it("names the default when the model has no level, and sets one", async () => {
    let current = model("PARTICIPATING", false);
    const calls = serve({
      ModelNotificationLevel: () => ({ viewer: { __typename: "Viewer", notificationLevel: "PARTICIPATING" }, node: current }),
      SetModelNotificationLevel: (v) => {
        const input = v.input as { level: string | null };
        current = input.level ? model(input.level, true) : model("PARTICIPATING", false);
        return { setModelNotificationLevel: { __typename: "ModelNotificationLevelPayload", model: current, errors } };
      },
    });
    renderAs(rita, <ModelNotificationSelect modelId="M1" />);
    const select = (await screen.findAllByLabelText("E-mail notifications for this model")).find(
      (e) => e.tagName === "INPUT",
    ) as HTMLInputElement;
    expect((select as HTMLInputElement).value).toBe("Default (Participating)");
    fireEvent.click(select);
    fireEvent.click(await screen.findByRole("option", { name: "Muted" }));
    await waitFor(() => expect(calls.SetModelNotificationLevel).toEqual([{ input: { modelId: "M1", level: "MUTED" } }]));
    await waitFor(() => expect((select as HTMLInputElement).value).toBe("Muted"));
    fireEvent.click(select);
    fireEvent.click(await screen.findByRole("option", { name: "Default (Participating)" }));
    await waitFor(() => expect(calls.SetModelNotificationLevel?.[1]).toEqual({ input: { modelId: "M1", level: null } }));
  });
});

describe("NotificationSettings", () => {
  it("saves the address, shows the server's refusal by the field, and sets the default level", async () => {
    let email = "";
    let level = "PARTICIPATING";
    const viewer = () => ({ __typename: "Viewer", user: { __typename: "User", id: "U1" }, email, notificationLevel: level });
    const payload = (problems: unknown[]) => ({ __typename: "NotificationSettingsPayload", email, notificationLevel: level, errors: problems });
    const calls = serve({
      NotificationSettings: () => ({ viewer: viewer() }),
      SetEmail: (v) => {
        const wanted = (v.input as { email: string }).email;
        if (!wanted.includes(".")) {
          return {
            setEmail: payload([
              { __typename: "UserError", code: "INVALID_ARGUMENT", field: "email", message: "'rita@example' is not an e-mail address." },
            ]),
          };
        }
        email = wanted;
        return { setEmail: payload([]) };
      },
      UpdateNotificationSettings: (v) => {
        level = (v.input as { level: string }).level;
        return { updateNotificationSettings: payload([]) };
      },
    });
    renderAs(rita, <NotificationSettings />);
    const field = await screen.findByLabelText("E-mail address");
    // The browser takes it for an address; the server wants a dotted domain.
    fireEvent.change(field, { target: { value: "rita@example" } });
    fireEvent.click(screen.getByRole("button", { name: "Save address" }));
    await waitFor(() => expect(calls.SetEmail).toHaveLength(1));
    expect(await screen.findByText("'rita@example' is not an e-mail address.")).toBeTruthy();
    fireEvent.change(field, { target: { value: "rita@example.org" } });
    fireEvent.click(screen.getByRole("button", { name: "Save address" }));
    await waitFor(() => expect(calls.SetEmail?.[1]).toEqual({ input: { email: "rita@example.org" } }));
    fireEvent.click(screen.getByRole("radio", { name: /Follow all/ }));
    await waitFor(() => expect(calls.UpdateNotificationSettings).toEqual([{ input: { level: "ALL" } }]));
    await waitFor(() => expect((screen.getByRole("radio", { name: /Follow all/ }) as HTMLInputElement).checked).toBe(true));
  });
});
