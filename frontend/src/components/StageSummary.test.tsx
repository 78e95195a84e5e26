import { MantineProvider } from "@mantine/core";
import { render, screen, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";

import { AliasSummary, StageCell, StageSummary, VersionPlace } from "./StageSummary";

const wrap = (node: ReactNode) =>
  render(
    <MantineProvider>
      <MemoryRouter>{node}</MemoryRouter>
    </MantineProvider>,
  );

const v = (version: string, stage: string) => ({ id: `V-${version}`, version, stage });
const where = { project: "demo", model: "churn" };

describe("StageSummary", () => {
  it("names Production then Staging versions, each a link to its page", () => {
    wrap(<StageSummary {...where} versions={[v("1.5.0-rc.1", "STAGING"), v("1.4.0", "PRODUCTION"), v("1.3.0", "PRODUCTION")]} />);
    const summary = screen.getByTestId("stage-summary");
    expect(summary.textContent).toBe("Production: 1.4.0, 1.3.0 · Staging: 1.5.0-rc.1");
    expect(within(summary).getByRole("link", { name: "1.5.0-rc.1" }).getAttribute("href")).toBe(
      "/projects/demo/models/churn/versions/1.5.0-rc.1",
    );
  });

  it("leaves out a stage with no version, and says nothing when neither has one", () => {
    const { unmount } = wrap(<StageSummary {...where} versions={[v("2.0.0", "STAGING")]} />);
    expect(screen.getByTestId("stage-summary").textContent).toBe("Staging: 2.0.0");
    unmount();
    wrap(<StageSummary {...where} versions={[v("1.0.0", "NONE")]} />);
    expect(screen.queryByTestId("stage-summary")).toBeNull();
  });
});

describe("AliasSummary", () => {
  it("shows each alias with its version, linking to it", () => {
    wrap(<AliasSummary {...where} aliases={[{ alias: "champion", version: { id: "V1", version: "1.4.0" } }]} />);
    const link = screen.getByRole("link", { name: "@champion → 1.4.0" });
    expect(link.getAttribute("href")).toBe("/projects/demo/models/churn/versions/1.4.0");
  });

  it("shows nothing without aliases", () => {
    wrap(<AliasSummary {...where} aliases={[]} />);
    expect(screen.queryByTestId("alias-summary")).toBeNull();
  });
});

describe("StageCell", () => {
  it("lists one stage's versions, or a dash", () => {
    const versions = [v("1.4.0", "PRODUCTION"), v("1.5.0", "STAGING")];
    const { unmount } = wrap(<StageCell {...where} versions={versions} stage="PRODUCTION" />);
    expect(screen.getByTestId("stage-cell-production").textContent).toBe("1.4.0");
    unmount();
    wrap(<StageCell {...where} versions={[v("1.0.0", "ARCHIVED")]} stage="STAGING" />);
    expect(screen.queryByTestId("stage-cell-staging")).toBeNull();
    expect(screen.getByText("—")).toBeTruthy();
  });
});

describe("VersionPlace", () => {
  it("shows the stage and the aliases", () => {
    wrap(<VersionPlace stage="PRODUCTION" aliases={["champion", "prod"]} />);
    const place = screen.getByTestId("version-place");
    expect(within(place).getByTestId("stage-badge").textContent).toBe("Production");
    expect(within(place).getByText("@champion")).toBeTruthy();
    expect(within(place).getByText("@prod")).toBeTruthy();
  });
});
