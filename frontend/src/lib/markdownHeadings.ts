import type { Element, ElementContent, Root, RootContent } from "hast";

// Rendered Markdown (model cards, descriptions, comments) sits inside a page whose title is its
// one h1: the Markdown's own headings move one level down (# becomes h2, ###### stays h6), and
// the empty "#" links the preview adds to headings go (no text for a screen reader, and their
// targets lost their ids to the sanitiser anyway).

const HEADING = /^h([1-6])$/;

function isElement(node: RootContent | ElementContent): node is Element {
  return node.type === "element";
}

function textOf(node: ElementContent): string {
  if (node.type === "text") return node.value;
  if (node.type === "element") return node.children.map(textOf).join("");
  return "";
}

/** A heading's anchor link: an `a` without text (its content is an icon, or nothing). */
function isEmptyLink(node: ElementContent): boolean {
  return isElement(node) && node.tagName === "a" && textOf(node).trim() === "";
}

function visit(node: Root | Element, levels: number): void {
  for (const child of node.children) {
    if (!isElement(child)) continue;
    const match = HEADING.exec(child.tagName);
    if (match) {
      child.tagName = `h${Math.min(6, Number(match[1]) + levels)}`;
      child.children = child.children.filter((c) => !isEmptyLink(c));
    }
    visit(child, levels);
  }
}

/** The rehype plugin: `rehypePlugins={[[rehypeNestHeadings, { levels: 1 }]]}`. */
export function rehypeNestHeadings({ levels = 1 }: { levels?: number } = {}) {
  return (tree: Root) => visit(tree, levels);
}
