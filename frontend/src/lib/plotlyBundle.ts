import "./plotlyGlobal";

import Plotly from "plotly.js/lib/core";
import contour from "plotly.js/lib/contour";
import parcoords from "plotly.js/lib/parcoords";

/**
 * A partial Plotly build: the core (which already holds the scatter trace) plus the two other
 * trace types that `lib/plots.ts` draws, contour and parallel coordinates. About a quarter of the
 * full `plotly.js-dist-min` bundle once minified. Only `lib/plotly.ts` imports this module, and
 * only lazily, so it lands in its own chunk that pages without plots never load.
 *
 * A figure using any other trace type draws nothing for that trace; `plotlyBundle.test.ts`
 * checks that every figure `plots.ts` builds validates against this build.
 */
Plotly.register([contour, parcoords]);

/** The trace types this build draws (kept in step with `register` above). */
export const TRACE_TYPES = ["scatter", "contour", "parcoords"] as const;

export default Plotly;
