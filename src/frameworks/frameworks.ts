import { byol } from "./byol.js";
import type { Framework, FrameworkName } from "./framework.js";
import { mocoV2 } from "./moco-v2.js";
import { simclr } from "./simclr.js";
import { simsiam } from "./simsiam.js";

/** Every framework by its option name (`--framework`). */
export const FRAMEWORKS: Record<FrameworkName, Framework> = { mocov2: mocoV2, simclr, byol, simsiam };
