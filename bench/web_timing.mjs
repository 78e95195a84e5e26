// Browser timing for bench_web.py (run by it with --browser): in Chromium (/usr/bin/chromium,
// through the frontend's Playwright), with the network throttled by DevTools, how long the first
// load takes and how long the compare page's Plotly chunk takes from request to a drawn plot,
// once with `Accept-Encoding: identity` forced and once as the browser asks (br, gzip).
//
//   node bench/web_timing.mjs <base URL> <plotly asset path> <rounds> <Mbit/s> <RTT ms>
//
// Prints one JSON object: {identity: {load_ms: [...], plot_ms: [...], bytes: [...]}, br: {...}}.
// Every round uses a fresh browser context (empty cache).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const frontend = join(dirname(fileURLToPath(import.meta.url)), "..", "frontend");
const { chromium } = createRequire(join(frontend, "package.json"))("@playwright/test");

const [base, plotlyPath, roundsArg, mbitArg, rttArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 3);
const bytesPerSecond = (Number(mbitArg ?? 10) * 1e6) / 8;
const rtt = Number(rttArg ?? 40);
const MODES = { identity: "identity", br: null }; // null: the browser's own header

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-quic"],
});
const out = {};
try {
  for (const mode of Object.keys(MODES)) out[mode] = { load_ms: [], plot_ms: [], bytes: [] };
  for (let round = 0; round < rounds; round++) {
    for (const [mode, header] of Object.entries(MODES)) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: rtt,
        downloadThroughput: bytesPerSecond,
        uploadThroughput: bytesPerSecond,
      });
      if (header) await cdp.send("Network.setExtraHTTPHeaders", { headers: { "Accept-Encoding": header } });
      let bytes = 0;
      const encodings = new Set();
      cdp.on("Network.loadingFinished", (e) => (bytes += e.encodedDataLength));
      cdp.on("Network.responseReceived", (e) => {
        const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
        if (e.response.url.includes("/assets/")) encodings.add(h["content-encoding"] ?? "identity");
      });
      const start = Date.now();
      const response = await page.goto(base + "/", { waitUntil: "load" });
      if (!response || response.status() !== 200) throw new Error(`GET / gave ${response?.status()}`);
      const loadMs = Date.now() - start;
      const plotMs = await page.evaluate(async (url) => {
        const t0 = performance.now();
        const Plotly = (await import(url)).default;
        const div = document.createElement("div");
        div.style.width = "600px";
        div.style.height = "400px";
        document.body.append(div);
        await Plotly.newPlot(div, [{ type: "scatter", mode: "markers", x: [1, 2, 3], y: [3, 1, 2] }], {});
        if (!div.querySelector(".scatterlayer .point")) throw new Error("no point drawn");
        return performance.now() - t0;
      }, `${base}/${plotlyPath}`);
      const want = mode === "identity" ? "identity" : "br";
      if (!encodings.has(want) || (mode === "identity" && encodings.size !== 1)) {
        throw new Error(`${mode}: assets came as ${[...encodings].join(", ")}`);
      }
      out[mode].load_ms.push(loadMs);
      out[mode].plot_ms.push(plotMs);
      out[mode].bytes.push(bytes);
      await context.close();
    }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
