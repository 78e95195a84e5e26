import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";

import { MlflowImportModal } from "./MlflowImport";

describe("MlflowImportModal", () => {
  it("shows the project's tracking URI, the token page and a snippet for the model named", () => {
    render(
      <MantineProvider>
        <MemoryRouter>
          <MlflowImportModal projectPath="fraud" opened onClose={() => {}} />
        </MemoryRouter>
      </MantineProvider>,
    );
    const uri = `${window.location.origin}/projects/fraud/mlflow`;
    expect(screen.getByLabelText("tracking URI").textContent).toBe(uri);
    expect(screen.getByLabelText("environment variables").textContent).toContain(
      `export MLFLOW_TRACKING_URI=${uri}`,
    );
    expect(screen.getByRole("link", { name: "personal access token" }).getAttribute("href")).toBe(
      "/-/user/tokens",
    );
    expect(screen.getByText("modelreg.version")).toBeTruthy();

    fireEvent.change(screen.getByLabelText("Model name"), { target: { value: "churn" } });
    expect(screen.getByLabelText("Python snippet").textContent).toContain('registered_model_name="churn"');
    expect(screen.getByRole("button", { name: "Copy Python snippet" })).toBeTruthy();
  });
});
