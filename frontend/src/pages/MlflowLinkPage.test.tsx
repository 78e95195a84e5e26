import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import { createMemoryRouter, RouterProvider, useLocation } from "react-router";
import { Client, fetchExchange, Provider as UrqlProvider } from "urql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import MlflowLinkPage from "./MlflowLinkPage";

const fetchMock = vi.fn<typeof fetch>();
beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

const answer = (body: unknown) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

function Where() {
  const { pathname } = useLocation();
  return <p data-testid="landed">{pathname}</p>;
}

function open(entry: string) {
  const router = createMemoryRouter(
    [
      { path: "projects/:project/mlflow", element: <MlflowLinkPage /> },
      { path: "*", element: <Where /> },
    ],
    { initialEntries: [entry] },
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

describe("MlflowLinkPage", () => {
  it("replaces a printed run link by the run's page", async () => {
    const router = open("/projects/demo/mlflow/#/experiments/3/runs/abc123");
    expect((await screen.findByTestId("landed")).textContent).toBe("/projects/demo/runs/abc123");
    expect(router.state.historyAction).toBe("REPLACE");
  });

  it("opens the experiment page for an experiment link", async () => {
    open("/projects/demo/mlflow#/experiments/0");
    expect((await screen.findByTestId("landed")).textContent).toBe("/projects/demo/experiments/0");
  });

  it("opens a registered model and, by its MLflow number, a version", async () => {
    fetchMock.mockResolvedValue(
      answer({
        data: {
          project: {
            __typename: "Project",
            id: "P1",
            model: { __typename: "RegisteredModel", id: "M1", versionByAlias: { __typename: "ModelVersion", id: "V1", version: "1.2.0" } },
          },
        },
      }),
    );
    open("/projects/demo/mlflow/#/models/churn/versions/4");
    expect((await screen.findByTestId("landed")).textContent).toBe("/projects/demo/models/churn/versions/1.2.0");
    const [url, init] = fetchMock.mock.calls[0]!;
    const variables = init?.body
      ? (JSON.parse(String(init.body)) as { variables: unknown }).variables
      : JSON.parse(new URL(String(url)).searchParams.get("variables") ?? "{}");
    expect(variables).toEqual({ path: "demo", name: "churn", alias: "v4" });
  });

  it("explains an unknown link, with the way to the project", async () => {
    open("/projects/demo/mlflow/");
    expect(await screen.findByText(/does not name a run/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "project" }).getAttribute("href")).toBe("/projects/demo");
    expect(screen.getByRole("link", { name: "experiments" }).getAttribute("href")).toBe("/projects/demo/experiments");
  });
});
