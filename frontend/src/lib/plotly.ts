import type { Figure } from "./plots";

/**
 * The one place that touches Plotly: a partial build (`plotlyBundle.ts`: scatter, contour and
 * parallel coordinates only) loaded on first use, in its own chunk of about 350 KB gzip, so only
 * pages with plots pay for it; then asked to draw or forget a figure. Component tests mock this
 * module, since jsdom cannot render Plotly.
 */
async function plotly() {
  return (await import("./plotlyBundle")).default;
}

export async function drawPlot(element: HTMLElement, figure: Figure): Promise<void> {
  const Plotly = await plotly();
  await Plotly.react(element, figure.data, figure.layout, {
    responsive: true,
    displaylogo: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d"],
  });
}

export async function purgePlot(element: HTMLElement): Promise<void> {
  const Plotly = await plotly();
  Plotly.purge(element);
}
