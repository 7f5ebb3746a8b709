import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startDashboard } from "../../src/dashboard/dashboard-server.js";
import type { DashboardState } from "../../src/dashboard/run-state.js";
import { validatePretrainConfig } from "../../src/config/pretrain-config.js";
import { resolveConfig } from "../../src/config/presets.js";

/** The first `state` event of the page's event stream. */
async function firstState(url: string): Promise<DashboardState> {
  const res = await fetch(new URL("events", url));
  const reader = res.body!.getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended: ${text}`);
    text += new TextDecoder().decode(value);
    const m = /event: state\ndata: (.*)\n\n/.exec(text);
    if (m) {
      await reader.cancel();
      return JSON.parse(m[1]!) as DashboardState;
    }
  }
}

/** A run directory as an older version wrote it: config.json and metrics.jsonl only, rows without newer fields. */
function olderRun(dir: string, masker: "none" | "mixmask", losses: number[]): void {
  mkdirSync(dir, { recursive: true });
  const config = validatePretrainConfig(resolveConfig("cpu", { masker, runDir: dir }));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ ...config, someFieldFromTheFuture: 1 }));
  const rows = losses.map((loss, step) => `${JSON.stringify({ step, loss, termLosses: [loss] })}\n`).join("");
  writeFileSync(join(dir, "metrics.jsonl"), `${rows}{"step": 99, "lo`); // a line cut short by a crash
}

describe("dashboard server", () => {
  it("refuses a non-loopback address without a token, and every request without it when it has one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mixmask-dash-"));
    await expect(startDashboard({ runDir: dir, host: "0.0.0.0", token: "" })).rejects.toThrow(/--dashboard-token-file/);
    const d = await startDashboard({ runDir: dir, token: "secret-token" });
    try {
      const bare = d.url.replace(/\?token=.*/, "");
      expect((await fetch(bare)).status).toBe(401);
      expect((await fetch(`${bare}?token=wrong-token!`)).status).toBe(401);
      expect((await fetch(`${bare}assets/vega.min.js`)).status).toBe(401);
      const page = await fetch(d.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("assets/vega.min.js?token=secret-token"); // served here, no CDN
      expect(
        (await fetch(`${bare}assets/vega-lite.min.js`, { headers: { authorization: "Bearer secret-token" } })).status,
      ).toBe(200);
    } finally {
      await d.close();
    }
  });

  it("shows an older run directory, skipping a torn last line and saying which files it lacks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mixmask-dash-old-"));
    olderRun(dir, "mixmask", [8, 7, 6]);
    const d = await startDashboard({ runDir: dir });
    try {
      const state = await firstState(d.url);
      expect(state.kind).toBe("run");
      expect(state.charts.loss!.rows).toBe(3);
      expect(state.runs[0]!.missing).toEqual(
        expect.arrayContaining(["knn-monitor.jsonl", "summary.json", "baselines.json", "health.jsonl"]),
      );
      expect(state.runs[0]!.facts).toContainEqual(["torch", "not recorded (config.json lacks it)"]);
      expect(state.runs[0]!.facts).toContainEqual(["malloc", "not recorded (config.json lacks it)"]);
      expect(state.runs[0]!.status.phase).toBe("training"); // just written: not yet stale
    } finally {
      await d.close();
    }
  });

  it("overlays a folder of runs per configuration and says when totals sum different numbers of terms", async () => {
    const out = mkdtempSync(join(tmpdir(), "mixmask-dash-folder-"));
    olderRun(join(out, "runs", "masker=none", "seed-0"), "none", [5, 4]);
    olderRun(join(out, "runs", "masker=none", "seed-1"), "none", [7, 6]);
    olderRun(join(out, "runs", "masker=mixmask", "seed-0"), "mixmask", [9, 8]);
    const d = await startDashboard({ runDir: out });
    try {
      const state = await firstState(d.url);
      expect(state.kind).toBe("folder");
      expect(state.runs).toHaveLength(3);
      const spec = JSON.stringify(state.charts.loss!.spec);
      expect(spec).toContain("masker=none (2 runs)");
      const subtitle = (state.charts.loss!.spec as unknown as { title: { subtitle: string[] } }).title.subtitle.join(
        " ",
      );
      expect(subtitle).toMatch(/different numbers of terms \(masker=mixmask: 3, masker=none: 1\)/);
      // mean ± std over the two seeds of masker=none at step 0: 6 ± √2
      const bands = (
        state.charts.loss!.spec as unknown as {
          layer: { data: { values: { series: string; x: number; low?: number; high?: number }[] } }[];
        }
      ).layer[0]!.data.values;
      const none0 = bands.find((b) => b.series.startsWith("masker=none") && b.x === 0)!;
      expect(none0.low).toBeCloseTo(6 - Math.SQRT2, 6);
      expect(none0.high).toBeCloseTo(6 + Math.SQRT2, 6);
    } finally {
      await d.close();
    }
  });
});
