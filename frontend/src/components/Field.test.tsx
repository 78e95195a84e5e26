import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { Field } from "./Field";

describe("Field", () => {
  it("shows its label above its value", () => {
    render(
      <MantineProvider>
        <Field label="Python">
          <code>3.11.4</code>
        </Field>
      </MantineProvider>,
    );
    const label = screen.getByText("Python");
    const value = screen.getByText("3.11.4");
    expect(label.compareDocumentPosition(value) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(value.tagName).toBe("CODE");
    // The caption and the value are siblings under one element: one fact per Field.
    expect(label.parentElement).toBe(value.parentElement?.parentElement);
  });
});
