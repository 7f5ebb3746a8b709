import type { EventSubscriber, EventType } from "zeromq";
import { MixmaskError } from "../errors.js";

/** How long a zeromq connection may take to complete its handshake before the lane counts as unreachable. */
export const ZMQ_HANDSHAKE_TIMEOUT_MS = 10_000;

/** The user name of the PLAIN handshake; only the password (the access token) is checked (zap_handler.py). */
export const ZMQ_PLAIN_USER = "mixmask";

/**
 * The endpoint to connect to for one the worker advertised. A worker on TCP binds its zeromq endpoints on the
 * interface its gRPC port listens on, and reports the address it bound, which for `0.0.0.0` or `[::]` is no
 * address at all; the host this client dialled for gRPC is one known to reach that machine. ipc:// endpoints (a
 * worker on a Unix socket, on this machine) are used as they are.
 */
export function reachableEndpoint(advertised: string, grpcAddress: string): string {
  const tcp = /^tcp:\/\/(.+):(\d+)$/.exec(advertised);
  if (!tcp || grpcAddress.startsWith("unix:")) return advertised;
  const target = grpcAddress.replace(/^(dns|ipv4|ipv6):(\/\/\/)?/, "");
  const host = target.slice(0, target.lastIndexOf(":"));
  return host ? `tcp://${host}:${tcp[2]}` : advertised;
}

type Listener = (event: { error?: Error }) => void;

const REFUSALS_BEFORE_GIVING_UP = 5;

const FAILURES = ["handshake:error:auth", "handshake:error:protocol", "handshake:error:other"] as const;

/**
 * Resolves once the socket's connection to `endpoint` completed the zeromq handshake (the worker's token check
 * included); rejects with a MixmaskError saying why the lane is unusable: refused credentials, or nothing reached in
 * `timeoutMs`. Without this a send to an unreachable endpoint only fails at the send timeout, minutes later.
 */
export function handshake(
  socket: { readonly events: EventSubscriber },
  endpoint: string,
  timeoutMs = ZMQ_HANDSHAKE_TIMEOUT_MS,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let retries = 0;
    const listeners: [EventType, Listener][] = [];
    const finish = (error?: MixmaskError) => {
      clearTimeout(timer);
      for (const [type, listener] of listeners) socket.events.off(type, listener as never);
      if (error) reject(error);
      else resolve();
    };
    const listen = (type: EventType, listener: Listener) => {
      listeners.push([type, listener]);
      socket.events.on(type, listener as never);
    };
    listen("handshake", () => finish());
    listen("connect:retry", () => {
      // Refused again and again (zeromq retries every 100 ms): nothing listens there, as when the gRPC port is
      // reached through a tunnel or a port forward that the zeromq port is not.
      retries += 1;
      if (retries >= REFUSALS_BEFORE_GIVING_UP) finish(unreachable(`${retries} connections were refused`));
    });
    for (const type of FAILURES) {
      listen(type, (event) =>
        finish(
          new MixmaskError({
            code: type === "handshake:error:auth" ? "UNAUTHENTICATED" : "WORKER_ERROR",
            path: "lane",
            message: `the worker's zeromq endpoint ${endpoint} refused the connection (${type}${event.error ? `: ${event.error.message}` : ""})`,
            fix:
              type === "handshake:error:auth"
                ? 'give the SDK the token the worker was started with ($MIXMASK_WORKER_TOKEN or --worker-token-file), or use lane "grpc"'
                : 'update the side that is older (SDK or worker), or use lane "grpc"',
          }),
        ),
      );
    }
    const unreachable = (why: string) =>
      new MixmaskError({
        code: "WORKER_TIMEOUT",
        path: "lane",
        message: `the worker's zeromq endpoint ${endpoint} cannot be reached from here (${why})`,
        fix: 'open that port between the two machines (the worker binds it on its gRPC interface, a port of the system\'s choice), or use lane "grpc", which needs only the gRPC port',
      });
    const timer = setTimeout(() => finish(unreachable(`no connection in ${timeoutMs} ms`)), timeoutMs);
  });
}

/** Whether a failure of the zeromq lane may be answered by taking the gRPC lane instead ("auto" only). */
export function isZmqUnreachable(error: unknown): boolean {
  return (
    error instanceof MixmaskError &&
    error.path === "lane" &&
    (error.code === "WORKER_TIMEOUT" || error.code === "WORKER_ERROR")
  );
}
