// `pnpm mutate` (from the repository root) runs StrykerJS here; settings in scripts/stryker.base.mjs.
import { strykerConfig } from "../../scripts/stryker.base.mjs";

export default strykerConfig({ vitest: { configFile: "vitest.mutate.config.ts" } });
