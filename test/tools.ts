/**
 * The command-line tools the test suite runs for real: promtool (alert rules: `check rules`,
 * `test rules`) and amtool (`check-config` on the Alertmanager configuration).
 */
import { spawnSync } from "child_process";

/** Tools the suite needs on PATH, and the test files that use them. */
export const TEST_TOOLS = ["promtool", "amtool"] as const;
export const TOOL_TEST_FILES = ["test/monitoring/alertmanager.test.ts", "test/monitoring/certificates.test.ts", "test/monitoring/rules.test.ts", "test/queues/alerts.test.ts", "test/serving/alerts.test.ts"];

/** The tools that do not run (`<tool> --version`) on this machine. */
export function missingTools(): string[] {
    return TEST_TOOLS.filter((tool) => spawnSync(tool, ["--version"], { stdio: "ignore" }).error !== undefined);
}

/** How to install the tools, for every platform the README lists. */
export function installHint(missing: readonly string[]): string {
    return [
        `${missing.join(" and ")} not found on PATH: the tests check the alert rules with promtool and the Alertmanager configuration with amtool.`,
        "Install both:",
        "  Debian/Ubuntu:  sudo apt-get install prometheus prometheus-alertmanager",
        "  macOS:          brew install prometheus alertmanager",
        "  anything else:  the release tarballs, https://github.com/prometheus/prometheus/releases (promtool) and",
        "                  https://github.com/prometheus/alertmanager/releases (amtool); put both binaries on PATH",
        "(`bash .ci/run` installs them on Debian/Ubuntu itself.)",
    ].join("\n");
}
