import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { MarkdownEditorImpl, MarkdownViewImpl } from "./MarkdownImpl";

describe("MarkdownEditorImpl", () => {
  it("hides the toolbar's icons from screen readers; the buttons keep their names", () => {
    const { container } = render(<MarkdownEditorImpl value="" onChange={() => {}} label="Description" />);
    const icons = [...container.querySelectorAll(".w-md-editor-toolbar svg")];
    expect(icons.length).toBeGreaterThan(5);
    expect(icons.filter((svg) => !svg.closest("[aria-hidden='true']"))).toEqual([]);
    expect(screen.getAllByRole("button").every((b) => (b.getAttribute("aria-label") ?? b.title) !== "")).toBe(true);
  });
});

describe("MarkdownViewImpl", () => {
  it("renders # as h2 under the page's h1, without an empty anchor link", () => {
    const { container } = render(<MarkdownViewImpl source={"# Churn\n\nText with a [link](https://example.org)."} />);
    expect(container.querySelector("h1")).toBeNull();
    const heading = screen.getByRole("heading", { level: 2, name: "Churn" });
    expect(heading.querySelector("a")).toBeNull();
    expect(screen.getByRole("link", { name: "link" })).toBeTruthy();
  });
});
