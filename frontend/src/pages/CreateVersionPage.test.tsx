import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { createMemoryRouter, Outlet, RouterProvider } from "react-router";
import { Client, fetchExchange, Provider as UrqlProvider } from "urql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { type Session, SessionContext } from "../components/Session";
import { UnsavedChangesGuard } from "../components/UnsavedChanges";
import type { CompatibilityFieldsFragment } from "../gql/graphql";
import CreateVersionPage from "./CreateVersionPage";

const fetchMock = vi.fn<typeof fetch>();
beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

function sent(call: Parameters<typeof fetch>): { query: string; variables: Record<string, unknown> } {
  const [url, init] = call;
  if (init?.body) return JSON.parse(String(init.body)) as { query: string; variables: Record<string, unknown> };
  const params = new URL(String(url)).searchParams;
  return { query: params.get("query") ?? "", variables: JSON.parse(params.get("variables") ?? "{}") };
}

const answer = (body: unknown) =>
  new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

const model = {
  data: {
    project: {
      id: "P1",
      path: "demo",
      name: "Demo",
      viewerPermissions: [{ ability: "EDIT", allowed: true, reason: null }],
      model: {
        id: "M1",
        name: "churn",
        description: "",
        createdBy: "admin",
        createdAt: "2026-01-01T00:00:00Z",
        updatedAt: "2026-01-01T00:00:00Z",
        versionCount: 1,
        latestVersion: { id: "V1", version: "1.0.0" },
        tags: [],
        major: "2.0.0",
        minor: "1.1.0",
        patch: "1.0.1",
      },
    },
  },
};

function check(guard: "WARN" | "ENFORCE", version: string | null): CompatibilityFieldsFragment {
  return {
    version: version ?? "1.0.1",
    previousVersion: "1.0.0",
    declaredBump: "PATCH",
    requiredBump: "MAJOR",
    verdict: "TOO_SMALL",
    reasons: [{ kind: "INPUT_ADDED_REQUIRED", column: "tenure", bump: "MAJOR", message: "New required input tenure." }],
    suggestedVersion: "2.0.0",
    guard,
    warning: guard === "WARN" ? "Numbered as a patch, but the changes need a major version." : "Refused: needs 2.0.0.",
    isPrerelease: false,
  };
}

function serve(guard: "WARN" | "ENFORCE") {
  fetchMock.mockImplementation(async (...call) => {
    const { query, variables } = sent(call);
    if (!query.includes("checkVersion")) return answer(model);
    const typed = (variables.version as string | null) ?? null;
    return answer({
      data: { project: { id: "P1", model: { id: "M1", checkVersion: check(guard, typed) } } },
    });
  });
}

const session: Session = {
  user: { id: "1", username: "admin", displayName: "", isAdmin: true },
  known: true,
  restart: async () => undefined,
};

function renderPage() {
  const router = createMemoryRouter(
    [{ path: "/projects/:project/models/:model/versions/new", element: <CreateVersionPage /> }],
    { initialEntries: ["/projects/demo/models/churn/versions/new"] },
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

const MLMODEL = "flavors:\n  sklearn: {}\nsignature:\n  inputs: '[]'\n";

function attach(...files: File[]) {
  fireEvent.change(screen.getByTestId("file-input"), { target: { files } });
}

const checks = () => fetchMock.mock.calls.map(sent).filter((r) => r.query.includes("checkVersion"));

describe("CreateVersionPage and the SemVer guard", () => {
  it("checks nothing until an MLmodel is attached", async () => {
    serve("WARN");
    renderPage();
    await screen.findByLabelText(/^Version/);
    attach(new File(["x"], "model.pkl"));
    await screen.findByText(/1 file to upload/);
    expect(checks()).toHaveLength(0);
    expect(screen.queryByTestId("version-check")).toBeNull();
  });

  it("reads the attached MLmodel, shows the required bump and fills in the suggestion", async () => {
    serve("WARN");
    renderPage();
    const field = (await screen.findByLabelText(/^Version/)) as HTMLInputElement;
    fireEvent.change(field, { target: { value: "1.0.1" } });
    attach(new File([MLMODEL], "MLmodel"), new File(["x"], "model.pkl"));
    const hint = await screen.findByTestId("version-check");
    expect(hint.textContent).toContain("The attached MLmodel needs a major bump over 1.0.0");
    expect(hint.textContent).toContain("New required input tenure.");
    expect(hint.textContent).toContain("Numbered as a patch");
    await waitFor(() => expect(checks().at(-1)?.variables).toEqual({ path: "demo", name: "churn", version: "1.0.1", mlmodel: MLMODEL }));

    fireEvent.click(screen.getByRole("button", { name: "Use 2.0.0" }));
    expect(field.value).toBe("2.0.0");
  });

  it("says the create will be refused under ENFORCE", async () => {
    serve("ENFORCE");
    renderPage();
    const field = await screen.findByLabelText(/^Version/);
    fireEvent.change(field, { target: { value: "1.0.1" } });
    attach(new File([MLMODEL], "MLmodel"));
    await waitFor(() =>
      expect(screen.getByTestId("version-check").textContent).toContain(
        "This project enforces SemVer: creating 1.0.1 will be refused.",
      ),
    );
  });
});

describe("CreateVersionPage's suggested numbers", () => {
  it("offers 0.1.0 and 1.0.0 once each for a model with no version yet, and fills one in", async () => {
    const empty = structuredClone(model);
    Object.assign(empty.data.project.model, {
      versionCount: 0,
      latestVersion: null,
      major: "1.0.0",
      minor: "0.1.0",
      patch: "0.1.0",
    });
    fetchMock.mockImplementation(async () => answer(empty));
    renderPage();
    const field = (await screen.findByLabelText(/^Version/)) as HTMLInputElement;
    const buttons = screen.getAllByRole("button").map((b) => b.textContent);
    expect(buttons.filter((t) => /\d+\.\d+\.\d+/.test(t ?? ""))).toEqual(["Development 0.1.0", "Stable 1.0.0"]);
    fireEvent.click(screen.getByRole("button", { name: "Stable 1.0.0" }));
    expect(field.value).toBe("1.0.0");
  });
});

describe("CreateVersionPage and a half-written description", () => {
  function renderGuarded() {
    const router = createMemoryRouter(
      [
        {
          element: (
            <>
              <UnsavedChangesGuard />
              <Outlet />
            </>
          ),
          children: [
            { path: "/projects/:project/models/:model/versions/new", element: <CreateVersionPage /> },
            { path: "/projects/:project/models/:model/versions/:version", element: <h1>Version page</h1> },
            { path: "/projects/:project/models/:model", element: <h1>Model page</h1> },
          ],
        },
      ],
      { initialEntries: ["/projects/demo/models/churn/versions/new"] },
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

  beforeEach(() => {
    fetchMock.mockImplementation(async (...call) => {
      const { query } = sent(call);
      if (query.includes("createVersion")) {
        return answer({ data: { createVersion: { modelVersion: { id: "V2", version: "1.1.0" }, errors: [] } } });
      }
      return answer(model);
    });
  });

  async function describeIt() {
    const editor = await screen.findByLabelText("Version description", {}, { timeout: 5000 });
    fireEvent.change(editor, { target: { value: "Retrained on May data." } });
  }

  it("asks before Cancel discards it", async () => {
    renderGuarded();
    await describeIt();
    fireEvent.click(screen.getByRole("link", { name: "Cancel" }));
    expect(await screen.findByRole("dialog", { name: "Discard your changes?" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Discard changes" }));
    expect(await screen.findByRole("heading", { name: "Model page" })).toBeTruthy();
  });

  it("opens the created version without asking: the description is saved", async () => {
    renderGuarded();
    await describeIt();
    fireEvent.click(screen.getByRole("button", { name: "Minor 1.1.0" }));
    fireEvent.click(screen.getByRole("button", { name: "Create version" }));
    expect(await screen.findByRole("heading", { name: "Version page" })).toBeTruthy();
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});
