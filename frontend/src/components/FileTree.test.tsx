import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { FileTree, type ListedFile } from "./FileTree";

const file = (path: string, size: number): ListedFile => ({
  path,
  size,
  sha256: "ab".repeat(32),
  createdAt: "2026-01-02T03:04:05+00:00",
  createdBy: "anonymous",
  downloadUrl: `/api/v1/projects/p/models/m/versions/1.0.0/files/${path}`,
});

function Harness({ files }: { files: ListedFile[] }) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  return (
    <MantineProvider>
      <FileTree files={files} selected={selected} onSelectedChange={setSelected} />
      <output data-testid="selected">{[...selected].sort().join(",")}</output>
    </MantineProvider>
  );
}

describe("FileTree", () => {
  const files = [file("model.pkl", 2048), file("config/params.json", 1536), file("config/vocab.txt", 10)];

  it("shows folders first with their totals, files with size, short hash and download link", () => {
    render(<Harness files={files} />);
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows.map((r) => r.getAttribute("data-path"))).toEqual([
      "config",
      "config/params.json",
      "config/vocab.txt",
      "model.pkl",
    ]);
    expect(rows[0]?.textContent).toContain("2 files");
    expect(rows[0]?.textContent).toContain("1.5 KB");
    expect(rows[1]?.textContent).toContain("abababababab");
    expect(screen.getByRole("link", { name: "Download config/params.json" }).getAttribute("href")).toBe(
      "/api/v1/projects/p/models/m/versions/1.0.0/files/config/params.json",
    );
  });

  it("collapses a folder and selects every file below it", () => {
    render(<Harness files={files} />);
    fireEvent.click(screen.getByRole("checkbox", { name: "Select folder config" }));
    expect(screen.getByTestId("selected").textContent).toBe("config/params.json,config/vocab.txt");
    fireEvent.click(screen.getByRole("checkbox", { name: "Select config/vocab.txt" }));
    expect(screen.getByTestId("selected").textContent).toBe("config/params.json");
    expect(
      (screen.getByRole("checkbox", { name: "Select folder config" }) as HTMLInputElement).checked,
    ).toBe(false);

    fireEvent.click(screen.getByRole("button", { name: "Collapse folder config" }));
    expect(screen.queryByText("params.json")).toBeNull();
    expect(screen.getByRole("button", { name: "Expand folder config" }).getAttribute("aria-expanded")).toBe("false");

    fireEvent.click(screen.getByRole("checkbox", { name: "Select all files" }));
    expect(screen.getByTestId("selected").textContent).toBe("config/params.json,config/vocab.txt,model.pkl");
  });
});
