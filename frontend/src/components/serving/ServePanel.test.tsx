import { MantineProvider } from "@mantine/core";
import { render, screen, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";

import { DeploymentList, ServeCommands } from "./ServePanel";

const wrap = (node: ReactNode) =>
  render(
    <MantineProvider>
      <MemoryRouter>{node}</MemoryRouter>
    </MantineProvider>,
  );

const where = { project: "fraud", model: "detector", version: "1.2.0", stage: "STAGING", aliases: ["champion"] };

const deployment = (id: string, endpoint: string, stoppedAt: string | null = null) => ({
  id,
  endpoint,
  reference: "fraud/detector@champion",
  role: "primary",
  startedBy: "alice",
  startedAt: "2026-12-03T10:00:00Z",
  stoppedBy: stoppedAt ? "bob" : null,
  stoppedAt,
});

describe("ServeCommands", () => {
  it("shows the install line and a command for the version, its stage and each alias", () => {
    wrap(<ServeCommands {...where} recording />);
    expect(screen.getByLabelText("install command").textContent).toBe("pip install 'modelreg[serving]'");
    expect(screen.getByLabelText("serving environment variables").textContent).toContain("MODELREG_TOKEN=");
    expect(screen.getByLabelText("serve command for @1.2.0").textContent).toBe(
      "modelreg serve-model fraud/detector@1.2.0 --port 5001",
    );
    expect(screen.getByLabelText("serve command for @Staging").textContent).toBe(
      "modelreg serve-model fraud/detector@Staging --port 5001",
    );
    expect(screen.getByLabelText("serve command for @champion").textContent).toBe(
      "modelreg serve-model fraud/detector@champion --port 5001",
    );
    expect(screen.getByRole("button", { name: "Copy serve command for @champion" })).toBeTruthy();
    expect(screen.getByText(/records itself below/)).toBeTruthy();
  });

  it("leaves out the recording hint when the registry keeps no records", () => {
    wrap(<ServeCommands {...where} recording={false} />);
    expect(screen.queryByText(/records itself below/)).toBeNull();
  });
});

describe("DeploymentList", () => {
  it("lists active deployments first, then stopped ones with who stopped them", () => {
    wrap(
      <DeploymentList
        active={[deployment("D2", "http://b:5001")]}
        stopped={[deployment("D1", "http://a:5001", "2026-12-03T11:00:00Z")]}
      />,
    );
    const rows = within(screen.getByRole("table"))
      .getAllByRole("row")
      .slice(1)
      .map((r) => within(r).getAllByRole("cell").map((c) => c.textContent));
    expect(rows.map((cells) => cells[1])).toEqual(["http://b:5001", "http://a:5001"]);
    expect(rows[0]?.[0]).toBe("active");
    expect(rows[0]?.[2]).toBe("fraud/detector@champion (following @champion)");
    expect(rows[0]?.[4]).toBe("—");
    expect(rows[1]?.[0]).toBe("stopped");
    expect(rows[1]?.[4]).toMatch(/^bob, /);
  });

  it("says so when nothing was recorded", () => {
    wrap(<DeploymentList active={[]} stopped={[]} />);
    expect(screen.getByText("No server has reported serving this version.")).toBeTruthy();
  });
});
