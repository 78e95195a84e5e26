import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, type TestInfo } from "@playwright/test";

// Accessibility checks for the e2e specs: axe-core on the page as shown, and the phone-width
// layout rule that nothing makes the document scroll sideways.

/** WCAG 2.0 and 2.1, levels A and AA: the rules a registry UI is held to. */
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** Violations of these impacts fail a spec; minor and moderate ones are reported by axe only. */
const BLOCKING = new Set(["serious", "critical"]);

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  helpUrl: string;
  /** Each element's selector, with what is wrong with it (colours and ratio for contrast). */
  targets: string[];
}

/** One line per rule, with the elements that break it: what a failing spec prints. */
export function describeFindings(label: string, findings: readonly AxeFinding[]): string {
  const lines = findings.map(
    (f) => `  [${f.impact}] ${f.id}: ${f.help} (${f.helpUrl})\n${f.targets.map((t) => `      at ${t}`).join("\n")}`,
  );
  return `${label}: ${findings.length} serious or critical accessibility violation(s)\n${lines.join("\n")}`;
}

/**
 * Runs axe-core (WCAG 2.x A and AA) on the page and fails on any serious or critical violation,
 * naming the rule, its help text and the elements' selectors.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const findings: AxeFinding[] = results.violations
    .filter((v) => BLOCKING.has(v.impact ?? ""))
    .map((v) => ({
      id: v.id,
      impact: v.impact ?? "",
      help: v.help,
      helpUrl: v.helpUrl,
      targets: v.nodes.map((n) => {
        const why = [...n.any, ...n.all, ...n.none].map((c) => c.message).find(Boolean);
        return `${n.target.map(String).join(" ")}${why ? ` — ${why}` : ""}`;
      }),
    }));
  // Soft: the spec goes on to its other checks, and reports them all at once.
  expect.soft(findings, describeFindings(label, findings)).toEqual([]);
}

/** The document is no wider than the window: nothing is cut off or needs a sideways scroll. */
export async function expectNoHorizontalOverflow(page: Page, label: string): Promise<void> {
  // A string: the e2e code is compiled without the DOM's types.
  const { scrollWidth, innerWidth, widest } = await page.evaluate<{
    scrollWidth: number;
    innerWidth: number;
    widest: string[];
  }>(`(() => {
    const width = window.innerWidth;
    // The innermost elements that stick out, for the failure message.
    const out = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1 && el.children.length === 0)
      .slice(0, 5)
      .map((el) => el.tagName.toLowerCase() + (el.getAttribute("data-testid") ? "[" + el.getAttribute("data-testid") + "]" : "") + ": " + (el.textContent || "").slice(0, 30));
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width, widest: out };
  })()`);
  expect.soft(scrollWidth, `${label}: the page is ${scrollWidth}px wide at ${innerWidth}px; wider: ${widest.join(", ")}`)
    .toBeLessThanOrEqual(innerWidth);
}

/** The header's content fits in the header: nothing wraps onto a second line below it. */
export async function expectHeaderFits(page: Page, label: string): Promise<void> {
  const { content, box } = await page.evaluate<{ content: number; box: number }>(
    `(() => { const h = document.querySelector("header"); return { content: h.scrollHeight, box: h.clientHeight }; })()`,
  );
  expect.soft(content, `${label}: the header's content is ${content}px high in a ${box}px header`).toBeLessThanOrEqual(box);
}

/** A full-page screenshot, attached to the test so that it shows in the e2e output. */
export async function attachShot(page: Page, info: TestInfo, name: string): Promise<void> {
  await page.evaluate("window.scrollTo(0, 0)");
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await info.attach(name, { path, contentType: "image/png" });
}
