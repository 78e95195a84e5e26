import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { Client, fetchExchange, Provider as UrqlProvider } from "urql";
import { beforeAll, describe, expect, it, vi } from "vitest";

import { type Session, SessionContext } from "../Session";
import { UnsavedChangesGuard } from "../UnsavedChanges";
import { Comments } from "./Comments";
import type { LifecycleVersion } from "./types";

const session: Session = {
  user: { id: "1", username: "admin", displayName: "", isAdmin: true },
  known: true,
  restart: async () => undefined,
};

const version = {
  id: "V1",
  viewerPermissions: [{ ability: "COMMENT", allowed: true, reason: null }],
  comments: [
    {
      id: "C1",
      author: "admin",
      body: "Looks good.",
      edited: false,
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-01T00:00:00Z",
      viewerCanChange: true,
    },
  ],
} as unknown as LifecycleVersion;

// jsdom has no document.fonts, which Mantine's autosized Textarea listens to.
beforeAll(() => {
  if (!("fonts" in document)) {
    Object.defineProperty(document, "fonts", {
      configurable: true,
      value: { addEventListener: () => {}, removeEventListener: () => {} },
    });
  }
});

const unload = () => {
  const event = new Event("beforeunload", { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
};

function renderComments() {
  const router = createMemoryRouter(
    [
      {
        path: "/",
        element: (
          <>
            <UnsavedChangesGuard />
            <Comments version={version} onChanged={vi.fn()} />
          </>
        ),
      },
    ],
    { initialEntries: ["/"] },
  );
  const client = new Client({ url: "http://localhost/graphql", exchanges: [fetchExchange] });
  render(
    <MantineProvider>
      <UrqlProvider value={client}>
        <SessionContext.Provider value={session}>
          <RouterProvider router={router} />
        </SessionContext.Provider>
      </UrqlProvider>
    </MantineProvider>,
  );
}

describe("Comments and unsaved text", () => {
  it("counts a half-written new comment as unsaved", async () => {
    renderComments();
    expect(unload()).toBe(false);
    fireEvent.change(screen.getByLabelText("New comment"), { target: { value: "Wait for the May data" } });
    await waitFor(() => expect(unload()).toBe(true));
    fireEvent.change(screen.getByLabelText("New comment"), { target: { value: "  " } });
    await waitFor(() => expect(unload()).toBe(false));
  });

  it("counts a changed comment being edited as unsaved, until cancelled", async () => {
    renderComments();
    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    expect(unload()).toBe(false);
    fireEvent.change(screen.getByLabelText("Edit comment"), { target: { value: "Looks good, ship it." } });
    await waitFor(() => expect(unload()).toBe(true));
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(unload()).toBe(false));
  });
});
