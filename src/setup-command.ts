import { Command } from "commander";
import { setupWorkerEnvironment, managedEnvironmentDir, requirementsHash } from "./worker/python-environment.js";

/** `mixmask setup`: makes the worker's managed Python environment now, instead of at the first Worker.spawn(). */
export function setupCommand(): Command {
  return new Command("setup")
    .description(
      "make the worker's Python environment (torch, grpcio, protobuf, numpy, pyzmq) in the mixmask cache; a no-op when it is current",
    )
    .option(
      "--python <path>",
      "the Python (≥ 3.10, with venv) to make it from; default $MIXMASK_SETUP_PYTHON or python3",
    )
    .option("--force", "rebuild it even when it is complete")
    .option("--print-dir", "print where the environment for this release's requirements lives, and exit")
    .action(async (flags: { python?: string; force?: boolean; printDir?: boolean }) => {
      if (flags.printDir) {
        console.log(managedEnvironmentDir());
        return;
      }
      const python = await setupWorkerEnvironment({
        ...(flags.python ? { basePython: flags.python } : {}),
        ...(flags.force ? { force: true } : {}),
        log: (line) => console.log(line),
      });
      console.log(
        `worker Python: ${python} (requirements ${requirementsHash()}); Worker.spawn() and the CLI use it unless MIXMASK_PYTHON or the \`python\` option names another`,
      );
    });
}
