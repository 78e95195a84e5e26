import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { createMemoryRouter, Link, Outlet, RouterProvider } from "react-router";
import { describe, expect, it, vi } from "vitest";

import { EditableMarkdown } from "./EditableMarkdown";
import { type Session, SessionContext } from "./Session";
import { UnsavedChangesGuard } from "./UnsavedChanges";

const session: Session = {
  user: { id: "1", username: "admin", displayName: "", isAdmin: true },
  known: true,
  restart: async () => undefined,
};

function renderApp() {
  const router = createMemoryRouter(
    [
      {
        element: (
          <>
            <UnsavedChangesGuard />
            <Link to="/elsewhere">Go elsewhere</Link>
            <Outlet />
          </>
        ),
        children: [
          {
            path: "/",
            element: <EditableMarkdown value="# Churn" label="Model card" empty="No card" onSave={vi.fn()} />,
          },
          { path: "/elsewhere", element: <h1>Elsewhere</h1> },
        ],
      },
    ],
    { initialEntries: ["/"] },
  );
  render(
    <MantineProvider>
      <SessionContext.Provider value={session}>
        <RouterProvider router={router} />
      </SessionContext.Provider>
    </MantineProvider>,
  );
  return router;
}

async function startEditing(): Promise<HTMLTextAreaElement> {
  fireEvent.click(screen.getByRole("button", { name: "Edit model card" }));
  return (await screen.findByLabelText("Model card", {}, { timeout: 5000 })) as HTMLTextAreaElement;
}

const unload = () => {
  const event = new Event("beforeunload", { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
};

describe("unsaved Markdown", () => {
  it("asks before an in-app navigation discards an edit, and keeps it when told to", async () => {
    const router = renderApp();
    const editor = await startEditing();
    fireEvent.change(editor, { target: { value: "# Churn, retrained" } });

    fireEvent.click(screen.getByRole("link", { name: "Go elsewhere" }));
    expect(await screen.findByRole("dialog", { name: "Discard your changes?" })).toBeTruthy();
    expect(router.state.location.pathname).toBe("/");

    fireEvent.click(screen.getByRole("button", { name: "Keep editing" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(router.state.location.pathname).toBe("/");
    expect((screen.getByLabelText("Model card") as HTMLTextAreaElement).value).toBe("# Churn, retrained");

    fireEvent.click(screen.getByRole("link", { name: "Go elsewhere" }));
    fireEvent.click(await screen.findByRole("button", { name: "Discard changes" }));
    expect(await screen.findByRole("heading", { name: "Elsewhere" })).toBeTruthy();
  });

  it("lets one leave without asking when the editor holds nothing new", async () => {
    const router = renderApp();
    await startEditing();
    fireEvent.click(screen.getByRole("link", { name: "Go elsewhere" }));
    expect(await screen.findByRole("heading", { name: "Elsewhere" })).toBeTruthy();
    expect(router.state.location.pathname).toBe("/elsewhere");
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("has the browser ask before closing or reloading the tab only while an edit is unsaved", async () => {
    renderApp();
    expect(unload()).toBe(false);
    const editor = await startEditing();
    expect(unload()).toBe(false);
    fireEvent.change(editor, { target: { value: "draft" } });
    await waitFor(() => expect(unload()).toBe(true));
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(unload()).toBe(false));
  });
});
