import { constants } from "node:os";

/** One rank's failure as torchrun's agent reports it when its group fails. */
export interface RankExit {
  rank: number;
  pid: number;
  /** The process's exit code, or −signal number for a process killed by a signal (torchrun's convention). */
  exitCode: number;
  /** The signal's name when killed by one. */
  signal?: string;
}

// torchrun's failure report (torch/distributed/elastic/multiprocessing/errors/__init__.py, _FAILURE_FORMAT_TEMPLATE):
//   rank      : 1 (local_rank: 1)
//   exitcode  : -9 (pid: 12345)  (SIGKILL)
const FAILURE = /rank\s*:\s*(\d+)\s*\(local_rank:\s*\d+\)\s*\n\s*exitcode\s*:\s*(-?\d+)\s*\(pid:\s*(\d+)\)/g;

/**
 * The rank whose exit brought the launch down, from the report torchrun prints when a rank fails.
 *
 * The agent stops the surviving ranks with SIGTERM once one failed, and may list those too (with equal timestamps,
 * even as its "root cause"), so the first failure that is not a SIGTERM is the one that started it; only when all
 * were SIGTERMed (someone stopped the agent) is the first one reported. Undefined without a report.
 */
export function firstRankFailure(stderr: string): RankExit | undefined {
  const exits = [...stderr.matchAll(FAILURE)].map((m): RankExit => {
    const exitCode = Number(m[2]);
    const signal = exitCode < 0 ? signalName(-exitCode) : undefined;
    return { rank: Number(m[1]), exitCode, pid: Number(m[3]), ...(signal ? { signal } : {}) };
  });
  return exits.find((e) => e.signal !== "SIGTERM") ?? exits[0];
}

function signalName(signal: number): string | undefined {
  return Object.entries(constants.signals).find(([, n]) => n === signal)?.[0];
}
