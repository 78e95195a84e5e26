import { type CSSVariablesResolver, createTheme, rem } from "@mantine/core";

import { readableOn } from "./lib/contrast";

// The look of the app, held to WCAG 2.1 AA contrast (4.5:1 for text) at the theme level rather
// than per component: axe-core checks every page in e2e/a11y.spec.ts.

/** Secondary text (`c="dimmed"`): Mantine's gray 6 gives only 3.3:1 on white; this gives 5.3:1. */
export const DIMMED_TEXT = "#646b72";

/** The light shade used for links, filled backgrounds and outlines. */
const SHADE = 8;

export const theme = createTheme({
  primaryColor: "blue",
  // Shade 6 (#228be6) is 3.6:1 against white, for links and white on filled buttons; 8 is 5.2:1.
  primaryShade: { light: SHADE, dark: 6 },
  // Filled badges and buttons get black text where white would not reach 4.5:1 (green, orange,
  // red, yellow): 0.179 is the luminance at which black and white contrast equally.
  autoContrast: true,
  luminanceThreshold: 0.179,
  defaultRadius: "md",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  // One h1 per page, the page's title, at the size the titles had as h2.
  headings: {
    sizes: {
      h1: { fontSize: rem(26), lineHeight: "1.35" },
    },
  },
});

/**
 * Light-scheme CSS variables darkened to reach AA: dimmed and error text, and per colour the text
 * (`c="orange"`), the text of light badges and buttons (on shades 1 and 2, hover included) and
 * outlines (on white).
 */
export const cssVariablesResolver: CSSVariablesResolver = (t) => {
  const light: Record<string, string> = {
    "--mantine-color-dimmed": DIMMED_TEXT,
    "--mantine-color-error": "var(--mantine-color-red-9)",
  };
  for (const [name, shades] of Object.entries(t.colors)) {
    if (!shades || name === "dark") continue;
    const white = t.white;
    light[`--mantine-color-${name}-text`] = readableOn(shades[SHADE], [white]);
    light[`--mantine-color-${name}-light-color`] = readableOn(shades[9], [shades[1], shades[2], white]);
    light[`--mantine-color-${name}-outline`] = readableOn(shades[SHADE], [white]);
  }
  return { variables: {}, light, dark: {} };
};
