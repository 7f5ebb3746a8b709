import { homedir } from "node:os";
import { join } from "node:path";

/**
 * The folder under which mixmask keeps caches (decoded images, the worker's uploaded datasets):
 * $MIXMASK_CACHE_DIR, else $XDG_CACHE_HOME/mixmask, else ~/.cache/mixmask. Everything in it can be deleted at any
 * time; it is rebuilt on demand.
 */
export function mixmaskCacheDir(): string {
  if (process.env.MIXMASK_CACHE_DIR) return process.env.MIXMASK_CACHE_DIR;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, "mixmask");
  return join(homedir(), ".cache", "mixmask");
}
