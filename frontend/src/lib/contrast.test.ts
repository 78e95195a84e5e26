import { DEFAULT_THEME } from "@mantine/core";
import { describe, expect, it } from "vitest";

import { AA_TEXT, contrastRatio, readableOn } from "./contrast";

describe("contrastRatio", () => {
  it("is 21 for black on white and 1 for a colour on itself, in either order", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#ffffff", "#000000")).toBeCloseTo(21, 5);
    expect(contrastRatio("#228be6", "#228be6")).toBeCloseTo(1, 5);
  });

  it("agrees with axe on Mantine's green badge text (3.8:1)", () => {
    expect(contrastRatio(DEFAULT_THEME.colors.green[9], DEFAULT_THEME.colors.green[1])).toBeCloseTo(3.8, 1);
  });
});

describe("readableOn", () => {
  it("keeps a colour that already reads", () => {
    expect(readableOn("#1971c2", ["#ffffff"])).toBe("#1971c2");
  });

  it("darkens yellow text until it reaches AA on its light background and on white", () => {
    const yellow = DEFAULT_THEME.colors.yellow;
    expect(contrastRatio(yellow[9], yellow[1])).toBeLessThan(AA_TEXT);
    const text = readableOn(yellow[9], [yellow[1], "#ffffff"]);
    expect(text).not.toBe(yellow[9]);
    expect(contrastRatio(text, yellow[1])).toBeGreaterThanOrEqual(AA_TEXT);
    expect(contrastRatio(text, "#ffffff")).toBeGreaterThanOrEqual(AA_TEXT);
  });
});
