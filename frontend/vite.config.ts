/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = process.env.MODELREG_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
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
