import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { useState } from "react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { Client, fetchExchange, Provider as UrqlProvider } from "urql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { type Session, SessionContext, type ViewerUser } from "../components/Session";
import SignInPage from "./SignInPage";

const fetchMock = vi.fn<typeof fetch>();
beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

function answer(body: unknown) {
  return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
}

const admin: ViewerUser = { id: "1", username: "admin", displayName: "", isAdmin: true };

/** The page with a session whose `restart` signs in (as the real one does after login). */
function renderPage(path: string) {
  const restart = vi.fn();
  const router = createMemoryRouter(
    [
      { path: "/sign-in", element: <SignInPage /> },
      { path: "*", element: <p>Arrived at the page</p> },
    ],
    { initialEntries: [path] },
  );
  function Harness() {
    const [user, setUser] = useState<ViewerUser | null>(null);
    const session: Session = {
      user,
      known: true,
      restart: async () => {
        restart();
        setUser(admin);
      },
    };
    return (
      <SessionContext.Provider value={session}>
        <RouterProvider router={router} />
      </SessionContext.Provider>
    );
  }
  const client = new Client({ url: "http://localhost/graphql", exchanges: [fetchExchange] });
  render(
    <MantineProvider>
      <UrqlProvider value={client}>
        <Harness />
      </UrqlProvider>
    </MantineProvider>,
  );
  return { restart, router };
}

function submit(username: string, password: string) {
  fireEvent.change(screen.getByLabelText(/Username/), { target: { value: username } });
  fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: password } });
  fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("SignInPage", () => {
  it("shows a refused sign-in and clears the password", async () => {
    const { restart } = renderPage("/sign-in?next=%2Fprojects%2Fdemo");
    fetchMock.mockResolvedValueOnce(
      answer({
        data: {
          login: { user: null, errors: [{ code: "UNAUTHENTICATED", field: "password", message: "Wrong username or password." }] },
        },
      }),
    );
    submit("admin", "nope");
    expect(await screen.findByText("Wrong username or password.")).toBeTruthy();
    expect((screen.getByLabelText(/^Password/) as HTMLInputElement).value).toBe("");
    expect(restart).not.toHaveBeenCalled();
    const sent = JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body)) as { variables: unknown };
    expect(sent.variables).toEqual({ input: { username: "admin", password: "nope" } });
  });

  it("signs in, starts a fresh session and returns to where the user was", async () => {
    const { restart, router } = renderPage("/sign-in?next=%2Fprojects%2Fdemo");
    fetchMock.mockResolvedValueOnce(
      answer({ data: { login: { user: { id: "1", username: "admin", displayName: "", isAdmin: true }, errors: [] } } }),
    );
    submit(" admin ", "right password");
    expect(await screen.findByText("Arrived at the page")).toBeTruthy();
    expect(router.state.location.pathname).toBe("/projects/demo");
    expect(restart).toHaveBeenCalledTimes(1);
    const sent = JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body)) as { variables: unknown };
    expect(sent.variables).toEqual({ input: { username: "admin", password: "right password" } });
  });

  it("never sends the user to another site", async () => {
    const { router } = renderPage("/sign-in?next=%2F%2Fevil.example%2F");
    fetchMock.mockResolvedValueOnce(
      answer({ data: { login: { user: { id: "1", username: "admin", displayName: "", isAdmin: true }, errors: [] } } }),
    );
    submit("admin", "right password");
    await waitFor(() => expect(screen.getByText("Arrived at the page")).toBeTruthy());
    expect(router.state.location.pathname).toBe("/");
  });
});
