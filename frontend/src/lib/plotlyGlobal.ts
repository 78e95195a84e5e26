/**
 * Some of plotly.js's dependencies (has-hover, …) were written for browserify and read the
 * Node-style `global`, which the full plotly.js bundles provide and a Vite build does not. The
 * partial build in `plotlyBundle.ts` imports this module first, so it is set before they run.
 */
const scope = globalThis as typeof globalThis & { global?: typeof globalThis };
scope.global ??= globalThis;

export {};
