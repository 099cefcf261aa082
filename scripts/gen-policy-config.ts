/**
 * Writes policy/sandbox.json and policy/production.json, the `--policy-pack-config` files that tell
 * every policy which environment's rules apply. Run after adding checks:
 * `npm run build && node bin/scripts/gen-policy-config.js` (a test keeps them in step).
 */
import * as fs from "fs";
import * as path from "path";
import { policyConfig } from "../policy/policy-config";
import { ROOT } from "../test/stack";

for (const env of ["sandbox", "production"] as const) {
    fs.writeFileSync(path.join(ROOT, "policy", `${env}.json`), `${JSON.stringify(policyConfig(env), null, 2)}\n`);
}
