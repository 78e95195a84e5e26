import { darken, luminance } from "@mantine/core";

// WCAG 2.1 contrast for the theme: Mantine's palettes give text that is too light in several
// colours (green, orange, yellow: 2.5–3.8:1); these find the nearest darker shade that reads.

/** AA for normal text. */
export const AA_TEXT = 4.5;

/** The WCAG contrast ratio of two opaque colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * `color` if it reaches `min` against every background given, else the least darkened version
 * of it that does (in steps of 5 %), as an `rgba(...)` string.
 */
export function readableOn(color: string, backgrounds: readonly string[], min = AA_TEXT): string {
  for (let amount = 0; amount < 1; amount += 0.05) {
    const candidate = amount === 0 ? color : darken(color, amount);
    if (backgrounds.every((bg) => contrastRatio(candidate, bg) >= min)) return candidate;
  }
  return "#000000";
}
