// `pnpm mutate` (from the repository root) runs StrykerJS here; settings in scripts/stryker.base.mjs.
import { strykerConfig } from "../../scripts/stryker.base.mjs";

// The property tests try 3 % of their random cases per mutant (at least 10; all of them in `pnpm test`),
// from a fixed seed, so a mutant is judged on the same PRDs in every run (the deterministic tests of
// the scanner and the chunker, scan-pieces and chunks, do most of the killing there).
process.env.PRD_PROPERTY_RUNS_SCALE ??= "0.03";
process.env.PRD_PROPERTY_SEED ??= "1";

export default strykerConfig();
