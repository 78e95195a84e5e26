import type { Figure } from "./plots";

/**
 * The one place that touches Plotly: loaded on first use (its own chunk, about 1.4 MB gzip, so
 * only pages with plots pay for it), then asked to draw or forget a figure. Component tests mock
 * this module, since jsdom cannot render Plotly.
 */
async function plotly() {
  const loaded = await import("plotly.js-dist-min");
  // A UMD bundle: Vite hands it over as the default export.
  return (loaded as unknown as { default?: typeof loaded }).default ?? loaded;
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
