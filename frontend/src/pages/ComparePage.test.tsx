import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { Client, fetchExchange, Provider as UrqlProvider } from "urql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import ComparePage from "./ComparePage";

// Plotly cannot draw in jsdom: only the drawing call is replaced; the figures are real.
const drawPlot = vi.hoisted(() => vi.fn(async (element: HTMLElement, figure: unknown) => void [element, figure]));
vi.mock("../lib/plotly", () => ({ drawPlot, purgePlot: vi.fn(async () => undefined) }));

const fetchMock = vi.fn<typeof fetch>();
beforeEach(() => {
  fetchMock.mockReset();
  drawPlot.mockClear();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

/** The GraphQL request of a fetch call: urql sends queries as GET (in the URL), mutations as POST. */
function sent(call: Parameters<typeof fetch>): { query: string; variables: unknown } {
  const [url, init] = call;
  if (init?.body) return JSON.parse(String(init.body)) as { query: string; variables: unknown };
  const params = new URL(String(url)).searchParams;
  return { query: params.get("query") ?? "", variables: JSON.parse(params.get("variables") ?? "null") };
}

function answer(body: unknown) {
  return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
}

const model = {
  data: {
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
        tags: [],
        major: "3.0.0",
        minor: "2.1.0",
        patch: "2.0.1",
      },
    },
  },
};

const compat = (verdict: string, warning: string | null = null) => ({
  verdict,
  declaredBump: verdict === "FIRST_RELEASE" ? null : "PATCH",
  requiredBump: verdict === "FIRST_RELEASE" ? null : "MAJOR",
  previousVersion: verdict === "FIRST_RELEASE" ? null : "1.0.0",
  warning,
});

const version = (id: string, v: string, verdict: string, warning: string | null = null) => ({
  id,
  version: v,
  number: Number(id.slice(1)),
  isPrerelease: false,
  stage: "NONE",
  createdAt: "2026-01-01T00:00:00Z",
  runId: `run${id}`,
  compatibility: compat(verdict, warning),
});

const sha = (c: string) => c.repeat(64);
const point = (step: number, value: number) => ({ step, value, timestamp: "2026-01-01T00:00:00Z" });

const comparison = {
  data: {
    compareVersions: {
      versions: [
        version("V1", "1.0.0", "FIRST_RELEASE"),
        version("V2", "1.0.1", "TOO_SMALL", "1.0.1 declares a patch but adds a required input: use 2.0.0."),
        version("V3", "2.0.0", "OK"),
      ],
      params: [
        { key: "C", values: ["0.5", "1", "2"], status: "CHANGED", differs: true },
        { key: "solver", values: ["lbfgs", "lbfgs", "lbfgs"], status: "SAME", differs: false },
      ],
      metrics: [
        {
          key: "accuracy",
          latest: [0.8, 0.85, 0.9],
          present: [true, true, true],
          status: "CHANGED",
          differs: true,
          history: [
            { version: "1.0.0", points: [point(0, 0.7), point(1, 0.8)] },
            { version: "1.0.1", points: [point(0, 0.85)] },
            { version: "2.0.0", points: [] },
          ],
        },
      ],
      signature: [
        {
          section: "INPUT",
          name: "age",
          status: "SAME",
          differs: false,
          columns: [0, 1, 2].map(() => ({ name: "age", type: "long", shape: null, optional: false })),
        },
        {
          section: "INPUT",
          name: "tenure",
          status: "ADDED",
          differs: true,
          columns: [null, { name: "tenure", type: "double", shape: null, optional: false }, { name: "tenure", type: "double", shape: null, optional: false }],
        },
      ],
      dependencies: [
        { name: "scikit-learn", specifiers: ["==1.4.0", "==1.4.0", "==1.5.2"], versions: ["1.4.0", "1.4.0", "1.5.2"], status: "CHANGED", differs: true },
        { name: "numpy", specifiers: ["", "", null], versions: [null, null, null], status: "REMOVED", differs: true },
      ],
      files: [
        { path: "model/MLmodel", status: "CHANGED", differs: true, files: [{ sha256: sha("a"), size: 500 }, { sha256: sha("b"), size: 520 }, { sha256: sha("b"), size: 520 }] },
        { path: "model/README.md", status: "SAME", differs: false, files: [0, 1, 2].map(() => ({ sha256: sha("c"), size: 10 })) },
      ],
    },
  },
};

function serve(compare: unknown = comparison) {
  fetchMock.mockImplementation(async (...call) =>
    answer(sent(call).query.includes("compareVersions") ? compare : model),
  );
}

function renderPage(path = "/projects/demo/models/churn/compare?versions=1.0.0,1.0.1,2.0.0") {
  const router = createMemoryRouter(
    [
      { path: "/projects/:project/models/:model/compare", element: <ComparePage /> },
      { path: "*", element: <p>Elsewhere</p> },
    ],
    { initialEntries: [path] },
  );
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

const section = (name: string) => screen.getByRole("region", { name });

describe("ComparePage", () => {
  it("asks for the versions of the URL, in order, by the model's ID", async () => {
    serve();
    renderPage();
    await screen.findByRole("region", { name: "Parameters" });
    const request = fetchMock.mock.calls.map(sent).find((b) => b.query.includes("compareVersions"));
    expect(request?.variables).toEqual({ model: "M1", versions: ["1.0.0", "1.0.1", "2.0.0"] });
  });

  it("shows every section with one column per version and marks what differs", async () => {
    serve();
    renderPage();
    const header = await screen.findByTestId("compared-versions");
    expect(within(header).getByRole("link", { name: "1.0.1" }).getAttribute("href")).toBe(
      "/projects/demo/models/churn/versions/1.0.1",
    );
    expect(within(header).getByText("Bump too small")).toBeTruthy();

    const schema = within(section("Schema")).getByRole("table", { name: "Schema" });
    const tenure = within(schema).getAllByTestId("compare-row").find((r) => r.textContent?.includes("tenure"))!;
    expect(tenure.getAttribute("data-status")).toBe("ADDED");
    expect(within(tenure).getByTestId("row-status").textContent).toBe("added");
    const cells = tenure.querySelectorAll("td[data-change]");
    expect([...cells].map((c) => c.getAttribute("data-change"))).toEqual(["base", "added", "added"]);
    expect((cells[1] as HTMLElement).style.background).toContain("green");

    const deps = section("Dependencies");
    expect(within(deps).getByText("==1.5.2")).toBeTruthy();
    expect(within(deps).getByText("1 removed")).toBeTruthy();
    const files = section("Files");
    const mlmodel = within(files).getAllByTestId("compare-row")[0]!;
    expect([...mlmodel.querySelectorAll("td[data-change]")].map((c) => c.getAttribute("data-change"))).toEqual([
      "base",
      "changed",
      "changed",
    ]);
    expect(within(files).getAllByText("bbbbbbbbbbbb")).toHaveLength(2);
  });

  it("shows only the differences, per section or everywhere", async () => {
    serve();
    const router = renderPage();
    const params = await screen.findByRole("region", { name: "Parameters" });
    expect(within(params).getAllByTestId("compare-row")).toHaveLength(2);
    fireEvent.click(within(params).getByRole("switch", { name: "Show differences only" }));
    expect(within(params).getAllByTestId("compare-row")).toHaveLength(1);
    expect(within(params).queryByText("solver")).toBeNull();
    // Other sections still show everything.
    expect(within(section("Files")).getAllByTestId("compare-row")).toHaveLength(2);

    fireEvent.click(screen.getByRole("switch", { name: "Show differences only (all sections)" }));
    expect(router.state.location.search).toContain("diff=1");
    expect(within(section("Files")).getAllByTestId("compare-row")).toHaveLength(1);
    expect(within(section("Schema")).getAllByTestId("compare-row")).toHaveLength(1);
  });

  it("says when a section has nothing or no differences", async () => {
    const empty = structuredClone(comparison);
    empty.data.compareVersions.params = empty.data.compareVersions.params.filter((p) => !p.differs);
    empty.data.compareVersions.signature = [];
    serve(empty);
    renderPage("/projects/demo/models/churn/compare?versions=1.0.0,1.0.1,2.0.0&diff=1");
    const params = await screen.findByRole("region", { name: "Parameters" });
    expect(within(params).getByText(/No differences: the one row is the same in every version/)).toBeTruthy();
    expect(within(section("Schema")).getByText("No signature columns in these versions.")).toBeTruthy();
  });

  it("expands a metric into each version's step history", async () => {
    serve();
    renderPage();
    const metrics = await screen.findByRole("region", { name: "Metrics" });
    fireEvent.click(within(metrics).getByRole("button", { name: "Show history of accuracy" }));
    const history = within(metrics).getByTestId("history-accuracy");
    expect(within(history).getByRole("img", { name: /accuracy of 1.0.0 over steps 0 to 1/ })).toBeTruthy();
    expect(within(history).getByText("Not logged.")).toBeTruthy();
  });

  it("draws the default scatter plot through Plotly", async () => {
    serve();
    renderPage();
    const plots = await screen.findByRole("region", { name: "Parameters against metrics" });
    await waitFor(() => expect(drawPlot).toHaveBeenCalled());
    const [element, figure] = drawPlot.mock.calls[0]! as [HTMLElement, { data: { x: number[]; text: string[] }[] }];
    expect(element.getAttribute("aria-label")).toBe("Scatter plot of accuracy against C");
    expect(figure.data[0]!.x).toEqual([0.5, 1, 2]);
    expect(figure.data[0]!.text).toEqual(["1.0.0", "1.0.1", "2.0.0"]);
    await waitFor(() => expect(within(plots).getByTestId("plot").getAttribute("data-state")).toBe("drawn"));
  });

  it("shows the server's error naming a missing version", async () => {
    fetchMock.mockImplementation(async (...call) => {
      if (!sent(call).query.includes("compareVersions")) return answer(model);
      return answer({
        data: null,
        errors: [{ message: "Version 9.9.9 of churn not found.", extensions: { code: "NOT_FOUND" } }],
      });
    });
    renderPage("/projects/demo/models/churn/compare?versions=1.0.0,9.9.9");
    expect(await screen.findByText("Version 9.9.9 of churn not found.")).toBeTruthy();
  });

  it("asks to choose versions when the URL has none", async () => {
    serve();
    renderPage("/projects/demo/models/churn/compare");
    expect(await screen.findByText("No versions chosen")).toBeTruthy();
    expect(fetchMock.mock.calls.some((c) => sent(c).query.includes("compareVersions"))).toBe(false);
  });
});
