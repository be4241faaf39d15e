// `pnpm mutate` (from the repository root) runs StrykerJS here; settings in scripts/stryker.base.mjs.
import { strykerConfig } from "../../scripts/stryker.base.mjs";

// The property tests try a tenth of their random cases per mutant (all of them in `pnpm test`).
process.env.PRD_PROPERTY_RUNS_SCALE ??= "0.1";

export default strykerConfig();
