import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // setMocks must run before any program module registers resources.
        setupFiles: ["test/setup.ts"],
        // Stops a run that needs promtool/amtool with one install message when either is missing.
        globalSetup: ["test/global-setup.ts"],
        // A worker runs many files (the SDK and node_modules load once per worker, not once per
        // file); test/setup.ts still gives each file an empty recorder, no stack config and a fresh
        // module graph of the program, so a test's recorded resources never leak into another's.
        isolate: false,
        pool: "forks",
        // One worker per core: vitest's default leaves one core to its main process (1 worker on a
        // 2-core machine), which idles while the suite runs.
        maxWorkers: "100%",
        // The program allocates many short-lived objects (outputs, protobuf messages); a larger young
        // generation lets them die young instead of being promoted: about a quarter less CPU per stack
        // evaluation on Node 22.
        execArgv: ["--max-semi-space-size=64"],
        testTimeout: 60_000,
        hookTimeout: 60_000,
        // CI: a dot per test and, at the end, every failure in full with its logs (logs of passing
        // tests are dropped), so a green run is a few lines and a red one readable. CI also writes a
        // machine-readable summary, from which .ci/run prints a plain "N passed, N failed" line.
        reporters: process.env.CI ? ["dot", "json"] : ["default"],
        outputFile: { json: ".ci/vitest-results.json" },
        silent: process.env.CI ? "passed-only" : false,
    },
});
