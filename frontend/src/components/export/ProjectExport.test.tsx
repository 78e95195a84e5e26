import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { Client, fetchExchange, Provider as UrqlProvider } from "urql";
import { describe, expect, it, vi } from "vitest";

import { exportRefusal, exportUrl } from "../../lib/exports";
import { type Session, SessionContext } from "../Session";
import { ExportForm, ProjectExport } from "./ProjectExport";

if (!("fonts" in document)) {
  Object.defineProperty(document, "fonts", { value: { addEventListener: () => {}, removeEventListener: () => {} } });
}

const mia = { id: "1", username: "mia", displayName: "Mia", isAdmin: false };

function renderForm(props: Partial<Parameters<typeof ExportForm>[0]> = {}) {
  const start = vi.fn();
  const check = vi.fn(async () => new Response(null, { status: 200 }));
  render(
    <MantineProvider>
      <ExportForm path="demo" models={["churn", "fraud"]} totalModels={2} latestEventId={42} start={start} check={check} {...props} />
    </MantineProvider>,
  );
  return { start, check };
}

describe("exportUrl", () => {
  it("leaves out what is not set and repeats models", () => {
    expect(exportUrl("demo", { models: [], sinceEvent: null })).toBe("/api/v1/projects/demo/export");
    expect(exportUrl("demo", { models: ["churn", "a b"], sinceEvent: 0 })).toBe(
      "/api/v1/projects/demo/export?models=churn&models=a+b&since_event=0",
    );
  });
});

describe("ExportForm", () => {
  it("shows the latest event and downloads every model after a successful check", async () => {
    const { start, check } = renderForm();
    expect(screen.getByTestId("latest-event").textContent).toBe("Latest event: #42");
    fireEvent.click(screen.getByRole("button", { name: "Download archive" }));
    await waitFor(() => expect(start).toHaveBeenCalledWith("/api/v1/projects/demo/export"));
    expect(check).toHaveBeenCalledWith("/api/v1/projects/demo/export");
  });

  it("exports the chosen models and the changes after an event", async () => {
    const { start } = renderForm();
    fireEvent.click(screen.getByLabelText("Some models"));
    const download = screen.getByRole("button", { name: "Download archive" });
    expect(download).toHaveProperty("disabled", true);
    expect(screen.getByText("Choose at least one model, or export all of them.")).toBeTruthy();
    fireEvent.click(screen.getByRole("combobox", { name: "Models to export" }));
    fireEvent.click(await screen.findByRole("option", { name: "fraud" }));
    fireEvent.change(screen.getByLabelText("Only changes after event"), { target: { value: "40" } });
    await waitFor(() => expect(download).toHaveProperty("disabled", false));
    fireEvent.click(download);
    await waitFor(() => expect(start).toHaveBeenCalledWith("/api/v1/projects/demo/export?models=fraud&since_event=40"));
  });

  it("refuses an event after the latest before asking the server", () => {
    const { check } = renderForm();
    fireEvent.change(screen.getByLabelText("Only changes after event"), { target: { value: "43" } });
    expect(screen.getByText("The latest event is #42; choose it or an earlier one.")).toBeTruthy();
    const download = screen.getByRole("button", { name: "Download archive" });
    expect(download).toHaveProperty("disabled", true);
    fireEvent.click(download);
    expect(check).not.toHaveBeenCalled();
  });

  it("shows the server's refusal instead of downloading", async () => {
    const { start } = renderForm({ check: vi.fn(async () => new Response(null, { status: 404 })) });
    fireEvent.click(screen.getByRole("button", { name: "Download archive" }));
    expect((await screen.findByRole("alert")).textContent).toBe(exportRefusal(404));
    expect(start).not.toHaveBeenCalled();
  });
});

describe("ProjectExport", () => {
  it("tells a viewer without the role why, and offers no download", () => {
    const session: Session = { user: mia, known: true, restart: vi.fn() };
    const fetchMock = vi.fn<typeof fetch>();
    const client = new Client({ url: "/graphql", exchanges: [fetchExchange], fetch: fetchMock });
    const reason = "To export this project you need the MAINTAINER role or higher in this project; your role is DEVELOPER.";
    render(
      <MantineProvider>
        <UrqlProvider value={client}>
          <MemoryRouter>
            <SessionContext.Provider value={session}>
              <ProjectExport path="demo" verdict={{ allowed: false, reason }} />
            </SessionContext.Provider>
          </MemoryRouter>
        </UrqlProvider>
      </MantineProvider>,
    );
    expect(screen.getByTestId("not-allowed").textContent).toBe(reason);
    expect(screen.queryByRole("button", { name: "Download archive" })).toBeNull();
    expect(fetchMock).not.toHaveBeenCalled(); // no query for what it may not use
  });
});
