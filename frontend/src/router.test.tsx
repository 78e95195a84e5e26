import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, expect, it, vi } from "vitest";

import { type Session, SessionContext } from "./components/Session";
import { routes } from "./router";

const session: Session = { user: null, known: true, restart: async () => undefined };

afterEach(() => vi.restoreAllMocks());

it("shows a loader, not a blank page and a warning, while the first page's chunk loads", async () => {
  const warn = vi.spyOn(console, "warn");
  const router = createMemoryRouter(routes, { initialEntries: ["/no/such/page"] });
  render(
    <MantineProvider>
      <SessionContext.Provider value={session}>
        <RouterProvider router={router} />
      </SessionContext.Provider>
    </MantineProvider>,
  );
  const hydrateWarnings = () => warn.mock.calls.map((c) => String(c[0])).filter((w) => w.includes("HydrateFallback"));
  expect(hydrateWarnings()).toEqual([]);
  // The lazy page is not loaded yet: the root's HydrateFallback shows.
  expect(screen.getByLabelText("Loading")).toBeTruthy();
  expect(await screen.findByRole("heading", { name: "Page not found" })).toBeTruthy();
  expect(hydrateWarnings()).toEqual([]);
});
