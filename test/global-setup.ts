/**
 * Runs once before the suite: when a run includes the tests that need promtool or amtool and one is
 * missing, stop with one message saying how to install them, instead of failing each test with a
 * stack trace.
 */
import { installHint, missingTools, TOOL_TEST_FILES } from "./tools";

/** Whether this vitest run includes a test file that needs the tools (no filter: the whole suite). */
export function needsTools(argv: readonly string[]): boolean {
    const filters = argv.filter((a) => !a.startsWith("-") && !["run", "watch", "dev", "related"].includes(a));
    return filters.length === 0 || filters.some((f) => TOOL_TEST_FILES.some((file) => file.includes(f.replace(/^\.\//, ""))));
}

export default function setup(): void {
    if (!needsTools(process.argv.slice(2))) {
        return;
    }
    const missing = missingTools();
    if (missing.length > 0) {
        process.stderr.write(`\n${installHint(missing)}\n\n`);
        process.exit(1);
    }
}
