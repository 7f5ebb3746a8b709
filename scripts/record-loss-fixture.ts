// Re-records test/fixtures/step-losses.json from the code as it is now (run it only when a change is MEANT to move the
// numerics, and say so in the commit): `OMP_NUM_THREADS=1 npx tsx scripts/record-loss-fixture.ts`.
import { writeFileSync, renameSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FIXTURE_FILE, recordLosses } from "../test/helpers/loss-identity.js";

const fixture = await recordLosses();
const path = fileURLToPath(FIXTURE_FILE);
writeFileSync(`${path}.tmp`, `${JSON.stringify(fixture, null, 1)}\n`);
renameSync(`${path}.tmp`, path);
console.log(
  `${Object.keys(fixture.runs).length} runs recorded on ${fixture.cpuModel}, torch ${fixture.torchVersion}: ${path}`,
);
