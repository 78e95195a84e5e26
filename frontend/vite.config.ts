/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { constants } from "node:zlib";
import { defineConfig, type Plugin } from "vite";
import { compression, defineAlgorithm } from "vite-plugin-compression2";

const api = process.env.MODELREG_API ?? "http://127.0.0.1:8000";

/**
 * plotly.js's trace registry requires maplibre's stylesheet (83 KB) for map traces, which the
 * partial Plotly build (src/lib/plotlyBundle.ts) leaves out: resolve it to an empty module.
 */
const EMPTY = "\0modelreg-empty";
const noMapStyles: Plugin = {
  name: "modelreg-no-map-styles",
  enforce: "pre",
  resolveId: (id) => (id === "maplibre-gl/dist/maplibre-gl.css" ? EMPTY : null),
  load: (id) => (id === EMPTY ? "export {};" : null),
};

export default defineConfig({
  plugins: [
    react(),
    noMapStyles,
    // Every text file of the build also as .gz and .br (best settings: it runs once per build);
    // the Python server sends the one the browser accepts (backend/modelreg/spa.py).
    compression({
      include: /\.(?:js|mjs|css|html|svg|json|txt|webmanifest)$/,
      exclude: /\.map$/,
      threshold: 512,
      skipIfLargerOrEqual: true,
      logLevel: "silent",
      algorithms: [
        defineAlgorithm("gzip", { level: 9 }),
        defineAlgorithm("brotliCompress", { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
      ],
    }),
  ],
  server: {
    // `npm run dev`: Vite serves the app, the Python server answers the API.
    proxy: { "/graphql": { target: api, ws: true }, "/api": api, "/healthz": api },
  },
  build: { outDir: "dist", sourcemap: true, manifest: true },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
  },
});
