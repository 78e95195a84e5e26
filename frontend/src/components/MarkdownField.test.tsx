import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { MarkdownField } from "./Markdown";

function Harness({ error, editorLabel }: { error?: string; editorLabel?: string }) {
  const [value, setValue] = useState("# Churn");
  return (
    <MantineProvider>
      <MarkdownField label="Description" editorLabel={editorLabel} value={value} onChange={setValue} error={error} />
      <output data-testid="value">{value}</output>
    </MantineProvider>
  );
}

describe("MarkdownField", () => {
  it("labels the editor and passes what is typed on", async () => {
    render(<Harness editorLabel="Version description" />);
    expect(screen.getByText("Description")).toBeTruthy();
    const editor = (await screen.findByLabelText("Version description", {}, { timeout: 5000 })) as HTMLTextAreaElement;
    expect(editor.value).toBe("# Churn");
    fireEvent.change(editor, { target: { value: "Retrained on May data." } });
    expect(screen.getByTestId("value").textContent).toBe("Retrained on May data.");
  });

  it("names the editor by its label unless told otherwise", async () => {
    render(<Harness />);
    expect(await screen.findByLabelText("Description", {}, { timeout: 5000 })).toBeTruthy();
  });

  it("shows the API's message for the field below the editor, and nothing without one", () => {
    const { unmount } = render(<Harness error="The description is too long." />);
    expect(screen.getByText("The description is too long.")).toBeTruthy();
    unmount();
    render(<Harness />);
    expect(screen.queryByText("The description is too long.")).toBeNull();
  });
});
