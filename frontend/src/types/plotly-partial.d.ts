/**
 * Types of the plotly.js entry points used for the partial build in `lib/plotlyBundle.ts`:
 * plotly.js ships types for its full entry only, and the core has the same API.
 */
declare module "plotly.js/lib/core" {
  import Plotly from "plotly.js";

  const core: typeof Plotly;
  export default core;
}

declare module "plotly.js/lib/contour" {
  import type { PlotlyModule } from "plotly.js";

  const trace: PlotlyModule;
  export default trace;
}

declare module "plotly.js/lib/parcoords" {
  import type { PlotlyModule } from "plotly.js";

  const trace: PlotlyModule;
  export default trace;
}
