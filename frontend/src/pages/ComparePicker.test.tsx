import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { Client, fetchExchange, Provider as UrqlProvider } from "urql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import ComparePage from "./ComparePage";

// The compare page's version picker: a bad or single version is not a dead end.
vi.mock("../lib/plotly", () => ({ drawPlot: vi.fn(async () => undefined), purgePlot: vi.fn(async () => undefined) }));

const fetchMock = vi.fn<typeof fetch>();
beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

function sent(call: Parameters<typeof fetch>): { query: string; variables: { versions?: string[] } | null } {
  const [url, init] = call;
  if (init?.body) return JSON.parse(String(init.body)) as { query: string; variables: null };
  const params = new URL(String(url)).searchParams;
  return { query: params.get("query") ?? "", variables: JSON.parse(params.get("variables") ?? "null") };
}

const answer = (body: unknown) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

const model = {
  project: {
    id: "P1",
    path: "demo",
    name: "Demo",
    viewerPermissions: [],
    model: {
      id: "M1",
      name: "churn",
      description: "",
      createdBy: "admin",
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-01T00:00:00Z",
      versionCount: 3,
      latestVersion: { id: "V3", version: "2.0.0" },
      stageVersions: [],
      aliases: [],
      tags: [],
      major: "3.0.0",
      minor: "2.1.0",
      patch: "2.0.1",
    },
  },
};

const node = (id: string, version: string, stage = "NONE") => ({
  node: { id, version, number: 1, isPrerelease: false, stage, aliases: [], createdAt: "2026-01-01T00:00:00Z", createdBy: "admin", tags: [] },
});

const versions = {
  project: {
    id: "P1",
    model: {
      id: "M1",
      versions: {
        totalCount: 3,
        edges: [node("V3", "2.0.0", "PRODUCTION"), node("V2", "1.0.1"), node("V1", "1.0.0")],
        pageInfo: { hasNextPage: false, endCursor: null },
      },
    },
  },
};

function serve() {
  fetchMock.mockImplementation(async (...call) => {
    const { query, variables } = sent(call);
    if (query.includes("compareVersions")) {
      const missing = (variables?.versions ?? []).filter((v) => !["1.0.0", "1.0.1", "2.0.0"].includes(v));
      if (missing.length) {
        return answer({ data: null, errors: [{ message: `The model has no version ${missing.join(", ")}.`, extensions: { code: "NOT_FOUND" } }] });
      }
      return answer({ data: null, errors: [{ message: "compared", extensions: { code: "INTERNAL" } }] });
    }
    if (query.includes("query ModelVersions")) return answer({ data: versions });
    return answer({ data: model });
  });
}

function renderPage(path: string) {
  const router = createMemoryRouter([{ path: "/projects/:project/models/:model/compare", element: <ComparePage /> }], {
    initialEntries: [path],
  });
  const client = new Client({ url: "http://localhost/graphql", exchanges: [fetchExchange] });
  render(
    <MantineProvider>
      <UrqlProvider value={client}>
        <RouterProvider router={router} />
      </UrqlProvider>
    </MantineProvider>,
  );
  return router;
}

const compareRequests = () =>
  fetchMock.mock.calls.map(sent).filter((b) => b.query.includes("compareVersions")).map((b) => b.variables?.versions);

/** Opens the picker's list once the model's versions are in. */
async function openPicker() {
  const picker = screen.getByRole("region", { name: "Choose versions" });
  await waitFor(() => expect(picker.getAttribute("data-loaded")).toBe("true"));
  fireEvent.click(screen.getByRole("combobox", { name: "Versions to compare" }));
}

// jsdom does not run the dropdown's transition, so its options count as hidden.
const option = (name: string | RegExp) => screen.findByRole("option", { name, hidden: true });

async function pick(version: string) {
  await openPicker();
  fireEvent.click(await option(new RegExp(`^${version.replace(/\./g, "\\.")}`)));
}

describe("Compare page version picker", () => {
  it("on a version the model lacks, names it, keeps the good one and compares what is picked", async () => {
    serve();
    const router = renderPage("/projects/demo/models/churn/compare?versions=1.0.0,9.9.9");
    expect(await screen.findByText("The model has no version 9.9.9.")).toBeTruthy();
    const picker = screen.getByRole("region", { name: "Choose versions" });
    expect((await within(picker).findByTestId("unknown-versions")).textContent).toContain("churn has no version 9.9.9");
    const compare = within(picker).getByRole("button", { name: "Compare" });
    expect(compare.hasAttribute("disabled")).toBe(true); // only 1.0.0 is left: one more is needed

    await pick("2.0.0");
    await waitFor(() => expect(compare.hasAttribute("disabled")).toBe(false));
    fireEvent.click(compare);

    await waitFor(() => expect(router.state.location.search).toBe("?versions=1.0.0%2C2.0.0"));
    await waitFor(() => expect(compareRequests()).toContainEqual(["1.0.0", "2.0.0"]));
  });

  it("on a single version, asks for one more without asking the server to compare", async () => {
    serve();
    const router = renderPage("/projects/demo/models/churn/compare?versions=1.0.1&diff=1");
    expect(await screen.findByText("Choose one more version")).toBeTruthy();
    expect(compareRequests()).toEqual([]);

    await pick("1.0.0");
    fireEvent.click(screen.getByRole("button", { name: "Compare" }));
    await waitFor(() => expect(router.state.location.search).toBe("?versions=1.0.1%2C1.0.0&diff=1"));
  });

  it("offers the model's versions with their stage", async () => {
    serve();
    renderPage("/projects/demo/models/churn/compare");
    expect(await screen.findByText("No versions chosen")).toBeTruthy();
    await openPicker();
    expect(await option("2.0.0 (Production)")).toBeTruthy();
    expect(await option("1.0.0")).toBeTruthy();
  });
});
