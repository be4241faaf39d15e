// `pnpm mutate` (from the repository root) runs StrykerJS here; settings in scripts/stryker.base.mjs.
import { strykerConfig } from "../../scripts/stryker.base.mjs";

// The property tests try a tenth of their random cases per mutant (at least 10; all of them in `pnpm test`),
// from a fixed seed, so a mutant is judged on the same PRDs in every run.
process.env.PRD_PROPERTY_RUNS_SCALE ??= "0.1";
process.env.PRD_PROPERTY_SEED ??= "1";

export default strykerConfig();
