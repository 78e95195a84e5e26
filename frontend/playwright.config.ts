import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { defineConfig } from "@playwright/test";

import { ADMIN_PASSWORD } from "./e2e/support";

// The real server on loopback, serving the built app, with a fresh SQLite registry per run.
const here = dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.E2E_PORT ?? 8765);
const dataDir = mkdtempSync(join(tmpdir(), "modelreg-e2e-"));
const modelreg = resolve(here, "../.venv/bin/modelreg");

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // WebGL in software (SwiftShader) for Plotly's parallel coordinates on the compare page;
        // Chromium is phasing out the silent fallback, so ask for it.
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
      ],
    },
  },
  webServer: {
    command: `${modelreg} serve --port ${port}`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      MODELREG_DATA_DIR: dataDir,
      // E2E_UI_DIR: a build elsewhere (`vite build --outDir …`), so parallel runs do not share one.
      MODELREG_UI_DIR: process.env.E2E_UI_DIR ?? resolve(here, "dist"),
      MODELREG_LOG_LEVEL: "warning",
      // The first start of the empty registry creates `admin` with this password; specs sign in as
      // admin and create the other users they need.
      MODELREG_ADMIN_PASSWORD: ADMIN_PASSWORD,
      // Webhook receivers in the specs are on loopback (webhooks.spec.ts).
      MODELREG_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true",
    },
  },
});
