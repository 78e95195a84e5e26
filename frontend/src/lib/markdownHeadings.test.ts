import type { Element, Root } from "hast";
import { describe, expect, it } from "vitest";

import { rehypeNestHeadings } from "./markdownHeadings";

const el = (tagName: string, children: Element["children"] = [], properties: Element["properties"] = {}): Element => ({
  type: "element",
  tagName,
  properties,
  children,
});
const text = (value: string) => ({ type: "text" as const, value });

describe("rehypeNestHeadings", () => {
  it("moves headings one level down, h6 staying h6, and drops their empty anchor links", () => {
    const tree: Root = {
      type: "root",
      children: [
        el("h1", [el("a", [el("svg")], { href: "#churn" }), text("Churn")]),
        el("div", [el("h3", [text("Data")]), el("h6", [text("Fine print")])]),
        el("p", [el("a", [text("a real link")], { href: "https://example.org" })]),
      ],
    };
    rehypeNestHeadings()(tree);
    const [h1, div, p] = tree.children as Element[];
    expect(h1!.tagName).toBe("h2");
    expect(h1!.children).toEqual([text("Churn")]);
    expect((div!.children as Element[]).map((c) => c.tagName)).toEqual(["h4", "h6"]);
    // Links with text, outside headings or in them, stay.
    expect((p!.children[0] as Element).tagName).toBe("a");
  });

  it("keeps a heading's link that has text", () => {
    const tree: Root = { type: "root", children: [el("h2", [el("a", [text("Docs")], { href: "/docs" })])] };
    rehypeNestHeadings({ levels: 2 })(tree);
    const h = tree.children[0] as Element;
    expect(h.tagName).toBe("h4");
    expect(h.children).toHaveLength(1);
  });
});
