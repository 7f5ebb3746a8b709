import { randomBytes } from "node:crypto";
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { MixmaskError } from "../errors.js";

/** Environment variable holding the access token, on both sides (the worker reads it at start, then forgets it). */
export const TOKEN_ENV = "MIXMASK_WORKER_TOKEN";

/**
 * How this SDK proves itself to a worker. A worker reachable over the network refuses to start without a token and
 * then refuses every call that does not carry it (python_worker/mixmask_worker/service/access_control.py).
 */
export interface WorkerAccess {
  /**
   * The worker's access token (its $MIXMASK_WORKER_TOKEN or --token-file), sent on every call as
   * `authorization: Bearer <token>`. Default: $MIXMASK_WORKER_TOKEN of this process, else none.
   */
  token?: string;
  /** TLS, for a worker started with --tls-cert/--tls-key. Absent: plaintext (fine on loopback or a Unix socket). */
  tls?: {
    /** PEM file of the certificate authority that signed the worker's certificate (or the self-signed certificate itself). Default: the system's roots. */
    caPath?: string;
    /** Host name to check the certificate against when it differs from the address's host. */
    serverName?: string;
  };
}

/**
 * The token in a file (`--worker-token-file`), refused when other users may read it: a token they can read is no
 * secret (the worker applies the same rule to its --token-file).
 */
export function readTokenFile(path: string, flag = "--worker-token-file"): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: flag,
      message: `cannot read ${path}: ${(error as Error).message}`,
      fix: "name the file that holds the worker's access token",
    });
  }
  try {
    const info = fstatSync(fd);
    const mode = info.mode & 0o777;
    if (info.isFile() && (mode & 0o077) !== 0) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: flag,
        message: `${path} has mode 0${mode.toString(8)}, so other users can read the worker's access token`,
        expected: "a file only its owner can read (mode 0600)",
        received: `mode 0${mode.toString(8)}`,
        fix: `chmod 600 ${path} (and make a new token if others may have read it)`,
      });
    }
    return readFileSync(fd, "utf8").trim();
  } finally {
    closeSync(fd);
  }
}

/** A fresh random token (32 bytes, hex): the SDK gives one to every worker it spawns. */
export function newToken(): string {
  return randomBytes(32).toString("hex");
}

export function channelCredentials(access: WorkerAccess): grpc.ChannelCredentials {
  if (!access.tls) return grpc.credentials.createInsecure();
  let ca: Buffer | null = null;
  if (access.tls.caPath) {
    try {
      ca = readFileSync(access.tls.caPath);
    } catch (error) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "tls.caPath",
        message: `cannot read ${access.tls.caPath}: ${(error as Error).message}`,
        fix: "pass the PEM file of the worker's certificate authority",
      });
    }
  }
  return grpc.credentials.createSsl(ca);
}

export function channelOptions(access: WorkerAccess): grpc.ChannelOptions {
  return access.tls?.serverName
    ? { "grpc.ssl_target_name_override": access.tls.serverName, "grpc.default_authority": access.tls.serverName }
    : {};
}

/** Metadata for one call: the bearer token when there is one (grpc-js may keep a reference: never share one). */
export function callMetadata(access: WorkerAccess): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (access.token) metadata.set("authorization", `Bearer ${access.token}`);
  return metadata;
}
