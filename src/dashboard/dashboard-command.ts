import { readFileSync } from "node:fs";
import { Command } from "commander";
import { MixmaskError } from "../errors.js";
import { DASHBOARD_TOKEN_ENV, startDashboard, type Dashboard, type DashboardOptions } from "./dashboard-server.js";

/** Adds the dashboard's listening options to `pretrain` (with --dashboard) and to `dashboard`. */
export function withDashboardOptions(cmd: Command): Command {
  return cmd
    .option(
      "--dashboard-host <address>",
      `address the dashboard listens on; other than 127.0.0.1 it needs a token ($${DASHBOARD_TOKEN_ENV} or --dashboard-token-file)`,
      "127.0.0.1",
    )
    .option("--dashboard-port <n>", "port of the dashboard (0: a free one)", "0")
    .option("--dashboard-token-file <path>", "file holding the dashboard's access token");
}

function listenOptions(flags: Record<string, unknown>): Omit<DashboardOptions, "runDir"> {
  const port = Number(flags.dashboardPort ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--dashboard-port",
      message: "expected a port number",
      expected: "an integer in [0, 65535] (0: a free one)",
      received: String(flags.dashboardPort),
    });
  }
  const tokenFile = typeof flags.dashboardTokenFile === "string" ? flags.dashboardTokenFile : undefined;
  let token: string | undefined;
  if (tokenFile) {
    try {
      token = readFileSync(tokenFile, "utf8").trim();
    } catch (error) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "--dashboard-token-file",
        message: `cannot read ${tokenFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        fix: "point it at a readable file holding the token",
      });
    }
  }
  return { host: String(flags.dashboardHost ?? "127.0.0.1"), port, ...(token ? { token } : {}) };
}

/** `mixmask dashboard --run-dir D`: serves the page until Ctrl-C. */
export function dashboardCommand(): Command {
  const cmd = withDashboardOptions(
    new Command("dashboard").description(
      "serve a live page of a run directory, or of a folder of runs (compare's --out), in the browser; it follows the files while they are written",
    ),
  ).requiredOption("--run-dir <dir>", "a run directory, or a folder of runs");
  cmd.action(async (flags: Record<string, string>) => {
    const dashboard = await startDashboard({ runDir: flags.runDir!, ...listenOptions(flags) });
    console.log(`dashboard of ${flags.runDir}: ${dashboard.url}  (Ctrl-C to stop)`);
    await untilInterrupted();
    await dashboard.close();
  });
  return cmd;
}

/** The dashboard of `pretrain --dashboard`, or nothing without the flag. */
export interface TrainingDashboard {
  /** Runs the training, telling the page at once when it crashed or finished. */
  watch<T>(train: () => Promise<T>): Promise<T>;
  /** After the run (and the worker) ended: keeps the page up until Ctrl-C, then stops it. */
  holdOpen(): Promise<void>;
}

export async function openTrainingDashboard(
  flags: Record<string, unknown>,
  runDir: string,
  log: (line: string) => void,
): Promise<TrainingDashboard> {
  if (!flags.dashboard) return { watch: (train) => train(), holdOpen: async () => {} };
  const dashboard: Dashboard = await startDashboard({ runDir, kind: "run", ...listenOptions(flags) });
  log(`dashboard: ${dashboard.url}`);
  let interrupted = false;
  let failure: string | undefined;
  return {
    async watch(train) {
      try {
        const result = await train();
        dashboard.reportOutcome({ phase: "finished", text: "finished" });
        return result;
      } catch (error) {
        interrupted = error instanceof MixmaskError && error.code === "INTERRUPTED";
        failure = (error as Error).message;
        dashboard.reportOutcome({
          phase: "crashed",
          text: `${interrupted ? "stopped" : "crashed"}: ${(error as Error).message}`,
        });
        throw error;
      }
    },
    async holdOpen() {
      // Ctrl-C already ended the training: a second wait would surprise; everyone else gets to read the page.
      if (!interrupted) {
        log(
          `${failure ? `training failed: ${failure}` : "training finished"}; the dashboard stays at ${dashboard.url} (Ctrl-C to stop it)`,
        );
        await untilInterrupted();
      }
      await dashboard.close();
    },
  };
}

function untilInterrupted(): Promise<void> {
  return new Promise((done) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
