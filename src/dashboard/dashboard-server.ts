import { timingSafeEqual } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { basename, dirname, join, resolve } from "node:path";
import { MixmaskError } from "../errors.js";
import { dashboardPage } from "./page.js";
import { folderState, runState, RunWatcher, type DashboardState, type OwnerOutcome } from "./run-state.js";

/** Environment variable holding the dashboard's access token (needed when it listens beyond this machine). */
export const DASHBOARD_TOKEN_ENV = "MIXMASK_DASHBOARD_TOKEN";

export interface DashboardOptions {
  /** A run directory, or a folder of runs (a `compare` output: runs/<configuration>/seed-<n>/). */
  runDir: string;
  /** "run": always one run (pretrain --dashboard, before its directory exists). Default: decided by what is there. */
  kind?: "run" | "auto";
  /** Address to listen on. Default 127.0.0.1; any non-loopback address requires `token`. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** Access token: every request must carry `?token=` or `authorization: Bearer`. Default: $MIXMASK_DASHBOARD_TOKEN. */
  token?: string;
  /** How often the run's files are checked for changes (their modification times). Default 500 ms. */
  pollMs?: number;
}

export interface Dashboard {
  /** The page's address, with the token when there is one. */
  url: string;
  /** What the training process knows first (pretrain --dashboard): it crashed, or it finished. */
  reportOutcome(outcome: Omit<OwnerOutcome, "atMs">): void;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
/** State is re-sent at least this often, so "nothing written for N s" stays true on a page left open. */
const REFRESH_MS = 5_000;
const HEARTBEAT_MS = 15_000;

/**
 * Serves the live page of a run (or of a folder of runs) on a local port. It follows the run only through its files
 * (metrics.jsonl, knn-monitor.jsonl, summary.json, baselines.json, health.jsonl, config.json, preview.png): the
 * worker is never asked anything, so watching costs training nothing, and a page opened on a finished, crashed or
 * older run directory shows what is there. Updates reach the page as server-sent events.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? process.env[DASHBOARD_TOKEN_ENV];
  if (!LOOPBACK.has(host) && !token) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--dashboard-host",
      message: `the dashboard would listen on ${host}, reachable from other machines, without an access token`,
      fix: `set $${DASHBOARD_TOKEN_ENV} or pass --dashboard-token-file, or listen on 127.0.0.1`,
    });
  }
  const root = resolve(options.runDir);
  const assets = vegaAssets();
  const watchers = new Map<string, RunWatcher>();
  const watcher = (dir: string): RunWatcher => {
    let w = watchers.get(dir);
    if (!w) {
      w = new RunWatcher(watchers.size, dir, dir === root ? basename(dir) : dir.slice(root.length + 1));
      watchers.set(dir, w);
    }
    return w;
  };
  const current = (): RunWatcher[] =>
    options.kind === "run" || isRunDir(root) ? [watcher(root)] : findRuns(root).map(watcher);
  const build = (): DashboardState => {
    const runs = current();
    return options.kind === "run" || isRunDir(root) || runs.length === 0
      ? runState(runs[0] ?? watcher(root))
      : folderState(basename(root), runs);
  };

  const clients = new Set<ServerResponse>();
  let payload = "";
  let fingerprint = "";
  let builtAt = 0;
  const refresh = (force = false): void => {
    const runs = current();
    const now = Date.now();
    const print = runs.map((w) => `${w.dir}:${w.fingerprint()}`).join("|");
    if (!force && print === fingerprint && now - builtAt < REFRESH_MS) return;
    fingerprint = print;
    builtAt = now;
    let next: string;
    try {
      next = JSON.stringify(build());
    } catch (error) {
      next = JSON.stringify({ error: (error as Error).message });
    }
    if (next === payload) return;
    payload = next;
    for (const c of clients) c.write(`event: state\ndata: ${payload}\n\n`);
  };
  const poll = setInterval(refresh, options.pollMs ?? 500);
  const heartbeat = setInterval(() => {
    for (const c of clients) c.write(": heartbeat\n\n");
  }, HEARTBEAT_MS);

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" }).end((error as Error).message);
    }
  });
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://dashboard");
    if (token && !authorised(req, url, token)) {
      res
        .writeHead(401, { "content-type": "text/plain" })
        .end(`a token is required: open the URL the dashboard printed (?token=…)\n`);
      return;
    }
    const query = token ? `?token=${encodeURIComponent(token)}` : "";
    if (url.pathname === "/") {
      res
        .writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
        .end(dashboardPage(query));
    } else if (url.pathname === "/events") {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
      });
      res.write("retry: 1000\n\n");
      clients.add(res);
      req.on("close", () => clients.delete(res));
      if (!payload) refresh(true);
      else res.write(`event: state\ndata: ${payload}\n\n`);
    } else if (url.pathname === "/assets/vega.min.js" || url.pathname === "/assets/vega-lite.min.js") {
      const file = url.pathname.endsWith("vega.min.js") ? assets.vega : assets.vegaLite;
      res
        .writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "max-age=3600" })
        .end(readFileSync(file));
    } else if (/^\/preview\/\d+\.png$/.test(url.pathname)) {
      const id = Number(/\d+/.exec(url.pathname)![0]);
      const run = [...watchers.values()].find((w) => w.id === id);
      const file = run ? join(run.dir, "preview.png") : "";
      if (!run || !existsSync(file))
        res.writeHead(404, { "content-type": "text/plain" }).end("no preview.png in this run directory yet\n");
      else res.writeHead(200, { "content-type": "image/png", "cache-control": "no-store" }).end(readFileSync(file));
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  };

  await new Promise<void>((ok, fail) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      fail(
        new MixmaskError({
          code: "INVALID_OPTION",
          path: "--dashboard-port",
          message: `cannot listen on ${host}:${options.port ?? 0} (${error.code ?? error.message})`,
          fix: "choose another --dashboard-port, or 0 for a free one",
          cause: error,
        }),
      ),
    );
    server.listen(options.port ?? 0, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/${token ? `?token=${encodeURIComponent(token)}` : ""}`,
    reportOutcome(outcome) {
      for (const w of current()) w.owner = { ...outcome, atMs: Date.now() };
      refresh(true);
    },
    async close() {
      clearInterval(poll);
      clearInterval(heartbeat);
      for (const c of clients) c.end();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

function authorised(req: IncomingMessage, url: URL, token: string): boolean {
  const header = req.headers.authorization;
  const given = url.searchParams.get("token") ?? (header?.startsWith("Bearer ") ? header.slice(7) : "");
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isRunDir(dir: string): boolean {
  return existsSync(join(dir, "config.json")) || existsSync(join(dir, "metrics.jsonl"));
}

/** Run directories under a folder (at most three levels down, as `compare` lays them out), in name order. */
function findRuns(root: string, depth = 3): string[] {
  if (depth === 0 || !existsSync(root)) return [];
  let entries: string[];
  try {
    entries = readdirSync(root).sort();
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const dir = join(root, name);
    if (name === "checkpoints" || name === "tensorboard" || name === "plots") return [];
    try {
      if (!statSync(dir).isDirectory()) return [];
    } catch {
      return [];
    }
    return isRunDir(dir) ? [dir] : findRuns(dir, depth - 1);
  });
}

/** vega's and vega-lite's browser builds, from node_modules (their packages do not export the build folder). */
function vegaAssets(): { vega: string; vegaLite: string } {
  const require = createRequire(import.meta.url);
  const packageRoot = (name: string): string => {
    let dir = dirname(require.resolve(name));
    while (!existsSync(join(dir, "package.json")) || basename(dir) !== name) {
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    return dir;
  };
  const files = {
    vega: join(packageRoot("vega"), "build", "vega.min.js"),
    vegaLite: join(packageRoot("vega-lite"), "build", "vega-lite.min.js"),
  };
  for (const [name, file] of Object.entries(files)) {
    if (!existsSync(file)) {
      throw new MixmaskError({
        code: "INVALID_FILE",
        path: file,
        message: `${name}'s browser build is missing`,
        fix: "reinstall the npm dependencies (npm ci)",
      });
    }
  }
  return files;
}
