import { describe, expect, it } from "vitest";
import { firstRankFailure } from "../../src/distributed/torchrun-report.js";

// The report torch 2.13's torchrun printed here after rank 1 was SIGKILLed (the agent then SIGTERMed rank 0).
const REPORT = `torch.distributed.elastic.multiprocessing.errors.ChildFailedError:
=======================================================
mixmask_worker FAILED
-------------------------------------------------------
Failures:
[1]:
  time      : 2026-11-26_17:07:30
  host      : localhost
  rank      : 0 (local_rank: 0)
  exitcode  : -15 (pid: 29911)  (SIGTERM)
  error_file: <N/A>
  traceback : Signal 15 (SIGTERM) received by PID 29911
-------------------------------------------------------
Root Cause (first observed failure):
[0]:
  time      : 2026-11-26_17:07:30
  host      : localhost
  rank      : 1 (local_rank: 1)
  exitcode  : -9 (pid: 29912)  (SIGKILL)
  error_file: <N/A>
  traceback : Signal 9 (SIGKILL) received by PID 29912
=======================================================`;

describe("firstRankFailure", () => {
  it("names the rank that failed, not the ones the agent stopped with SIGTERM afterwards", () => {
    expect(firstRankFailure(REPORT)).toEqual({ rank: 1, pid: 29912, exitCode: -9, signal: "SIGKILL" });
    // Equal timestamps may make a SIGTERMed rank the "root cause": the SIGKILLed one is still chosen.
    const swapped = REPORT.replace("rank      : 1 (local_rank: 1)", "rank      : 3 (local_rank: 1)");
    expect(firstRankFailure(swapped)?.rank).toBe(3);
  });

  it("reports exit codes, and the first failure when every rank was stopped", () => {
    const crashed = "  rank      : 2 (local_rank: 0)\n  exitcode  : 70 (pid: 123)\n";
    expect(firstRankFailure(crashed)).toEqual({ rank: 2, pid: 123, exitCode: 70 });
    const stopped = "  rank      : 0 (local_rank: 0)\n  exitcode  : -15 (pid: 5)  (SIGTERM)\n";
    expect(firstRankFailure(stopped)).toMatchObject({ rank: 0, signal: "SIGTERM" });
    expect(firstRankFailure("no report here")).toBeUndefined();
  });
});
