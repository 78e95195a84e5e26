import { MantineProvider } from "@mantine/core";
import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { MemoryRouter } from "react-router";

import { ExternalRunSection, LineageSection, MetricHistoryView, RunSection, UseModelPanel } from "./MlflowRun";

function wrap(node: React.ReactNode) {
  return render(<MantineProvider>{node}</MantineProvider>);
}

describe("UseModelPanel", () => {
  it("offers a load snippet by number, SemVer and each alias", () => {
    wrap(<UseModelPanel project="p" model="churn" number={4} version="1.0.3" aliases={["1.0.3", "champion"]} />);
    for (const uri of ["models:/churn/4", "models:/churn@1.0.3", "models:/churn@champion"]) {
      expect(screen.getByLabelText(`load snippet for ${uri}`).textContent).toContain(
        `mlflow.pyfunc.load_model("${uri}")`,
      );
    }
    expect(screen.getAllByLabelText(/^load snippet/)).toHaveLength(3);
    expect(screen.getByLabelText("environment variables").textContent).toContain("/projects/p/mlflow");
  });
});

describe("LineageSection", () => {
  it("links the CI job when it has a URL and lists the rest", () => {
    wrap(
      <LineageSection
        lineage={{ ciJobId: "77", ciJobUrl: "https://ci.example/jobs/77", pipeline: "12", commit: "abc123" }}
        runId="r1"
        experimentName="Default"
        source="runs:/r1/model"
      />,
    );
    const table = screen.getByRole("table", { name: "Lineage" });
    expect(within(table).getByRole("link", { name: "77" }).getAttribute("href")).toBe("https://ci.example/jobs/77");
    expect(within(table).getByText("abc123")).toBeTruthy();
    expect(within(table).getByText("runs:/r1/model")).toBeTruthy();
    expect(within(table).queryByText("Merge request")).toBeNull();
  });

  it("says when there is no lineage", () => {
    wrap(<LineageSection lineage={{}} source="" />);
    expect(screen.getByText(/no run or CI information/)).toBeTruthy();
  });
});

describe("MetricHistoryView", () => {
  it("shows each step in a table next to the chart", () => {
    wrap(
      <MetricHistoryView
        metric="acc"
        points={[
          { step: 0, value: 0.5, timestamp: "2026-01-01T00:00:00Z" },
          { step: 1, value: null, timestamp: "2026-01-01T00:01:00Z" },
        ]}
      />,
    );
    const rows = within(screen.getByRole("table", { name: "History of acc" })).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[2]!.textContent).toContain("—");
    expect(screen.getByRole("img", { name: /acc over steps 0 to 0/ })).toBeTruthy();
  });
});

describe("RunSection", () => {
  const run = {
    runId: "abc123",
    name: "train",
    status: "FINISHED",
    experimentName: "Default",
    startTime: "2026-01-01T00:00:00Z",
    user: "mia",
    artifactUri: "mlflow-artifacts:/0/abc123/artifacts",
    params: [{ key: "lr", value: "0.1" }],
    metrics: [],
  };

  it("links a version's run to the run's page", () => {
    wrap(
      <MemoryRouter>
        <RunSection run={run} at={{ project: "demo", model: "churn", version: "1.0.0" }} />
      </MemoryRouter>,
    );
    expect(screen.getByRole("link", { name: "train" }).getAttribute("href")).toBe("/projects/demo/runs/abc123");
  });

  it("shows the name without a link on the run's own page", () => {
    wrap(<RunSection run={run} history={() => null} />);
    expect(screen.getByText("train")).toBeTruthy();
    expect(screen.queryByRole("link")).toBeNull();
  });
});

describe("ExternalRunSection", () => {
  it("says the version was registered from an external run, with its id", () => {
    wrap(<ExternalRunSection runId="0123456789abcdef0123456789abcdef" />);
    const section = screen.getByRole("region", { name: "Run" });
    expect(section.textContent).toContain("Registered from an external run 0123456789abcdef0123456789abcdef.");
    expect(within(section).queryByRole("link")).toBeNull();
  });
});
