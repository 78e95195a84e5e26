import { MantineProvider } from "@mantine/core";
import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { CompatibilityFieldsFragment } from "../gql/graphql";
import { CompatibilityPanel, DependenciesPanel, SignaturePanel } from "./ModelMetadata";

function wrap(node: React.ReactNode) {
  return render(<MantineProvider>{node}</MantineProvider>);
}

const tooSmall: CompatibilityFieldsFragment = {
  version: "1.0.1",
  previousVersion: "1.0.0",
  declaredBump: "PATCH",
  requiredBump: "MAJOR",
  verdict: "TOO_SMALL",
  reasons: [
    { kind: "INPUT_ADDED_REQUIRED", column: "tenure", bump: "MAJOR", message: "New required input tenure." },
  ],
  suggestedVersion: "2.0.0",
  guard: "WARN",
  warning: "1.0.1 is numbered as a patch, but its changes need a major version: 2.0.0.",
  isPrerelease: false,
};

describe("SignaturePanel", () => {
  it("lists inputs, outputs and params", () => {
    wrap(
      <SignaturePanel
        signature={{
          inputs: [
            { name: "age", type: "long", shape: null, optional: false },
            { name: "plan", type: "string", shape: null, optional: true },
          ],
          outputs: [{ name: null, type: "float32", shape: [-1, 2], optional: false }],
          params: [{ name: "threshold", type: "double", default: "0.5", shape: null }],
        }}
      />,
    );
    const inputs = within(screen.getByRole("table", { name: "Inputs" })).getAllByRole("row");
    expect(inputs[1]!.textContent).toContain("agelong—required");
    expect(inputs[2]!.textContent).toContain("optional");
    const outputs = within(screen.getByRole("table", { name: "Outputs" })).getAllByRole("row");
    expect(outputs[1]!.textContent).toContain("unnamedfloat32[-1, 2]");
    expect(within(screen.getByRole("table", { name: "Inference parameters" })).getByText("0.5")).toBeTruthy();
  });

  it("explains a missing signature", () => {
    wrap(<SignaturePanel signature={null} />);
    expect(screen.getByText(/No signature/)).toBeTruthy();
  });
});

describe("DependenciesPanel", () => {
  it("shows versions, flavors, channels, packages and warnings", () => {
    wrap(
      <DependenciesPanel
        warnings={[]}
        dependencies={{
          root: "model",
          mlmodelPath: "model/MLmodel",
          flavors: ["python_function", "sklearn"],
          pythonVersion: "3.12.3",
          mlflowVersion: "3.1.0",
          runtime: [],
          condaChannels: ["conda-forge", "defaults"],
          packages: [
            { name: "scikit-learn", requirement: "scikit-learn==1.5.2", specifier: "==1.5.2", version: "1.5.2", pinned: true, sources: ["REQUIREMENTS", "CONDA_PIP"] },
            { name: "pandas", requirement: "pandas", specifier: "", version: null, pinned: false, sources: ["REQUIREMENTS"] },
          ],
          files: ["model/requirements.txt", "model/conda.yaml"],
          warnings: [
            { code: "UNPINNED_REQUIREMENT", file: "model/requirements.txt", message: "pandas is not pinned." },
            { code: "CONDA_DEFAULTS_CHANNEL", file: "model/conda.yaml", message: "The defaults channel has licence terms." },
          ],
        }}
      />,
    );
    expect(screen.getByText("3.12.3")).toBeTruthy();
    expect(screen.getByText("sklearn")).toBeTruthy();
    expect(screen.getByText("defaults")).toBeTruthy();
    const rows = screen.getAllByTestId("package-row");
    expect(rows[0]!.textContent).toContain("pinned");
    expect(rows[0]!.textContent).toContain("requirements.txt, conda.yaml (pip)");
    expect(rows[1]!.textContent).toContain("unpinned");
    expect(screen.getByText("2 packages, 1 not pinned to one version.")).toBeTruthy();
    const alerts = within(screen.getByTestId("metadata-warnings")).getAllByRole("alert");
    expect(alerts).toHaveLength(2);
    expect(alerts[0]!.textContent).toContain("Unpinned requirement: model/requirements.txt");
  });

  it("says when there is nothing to read, with the version's warnings", () => {
    wrap(
      <DependenciesPanel
        dependencies={null}
        warnings={[{ code: "MALFORMED_FILE", file: "MLmodel", message: "MLmodel is not valid YAML." }]}
      />,
    );
    expect(screen.getByText(/No MLmodel and no dependency file/)).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toContain("Malformed file: MLmodel");
  });
});

describe("CompatibilityPanel", () => {
  it("shows the verdict, the bumps, the reasons and the guard's warning", () => {
    wrap(<CompatibilityPanel compatibility={tooSmall} />);
    expect(screen.getByTestId("verdict-badge").textContent).toBe("Bump too small");
    expect(screen.getByTestId("guard-warning").textContent).toContain("its changes need a major version");
    expect(screen.getByText("Patch")).toBeTruthy();
    expect(screen.getAllByText("Major")).toHaveLength(2); // required, and the reason's bump
    expect(screen.getByText("New required input tenure.")).toBeTruthy();
    expect(screen.getByText("2.0.0")).toBeTruthy();
  });

  it("notes a prerelease, and a first release without reasons", () => {
    wrap(
      <CompatibilityPanel
        compatibility={{
          ...tooSmall,
          verdict: "FIRST_RELEASE",
          previousVersion: null,
          declaredBump: null,
          requiredBump: null,
          reasons: [],
          warning: null,
          guard: "ENFORCE",
          isPrerelease: true,
        }}
      />,
    );
    expect(screen.getByTestId("verdict-badge").textContent).toBe("First release");
    expect(screen.queryByTestId("guard-warning")).toBeNull();
    expect(screen.getByText(/A prerelease is not for Production/).textContent).toContain("refuses");
  });
});
