import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // setMocks must run before any program module registers resources.
        setupFiles: ["test/setup.ts"],
        // Stops a run that needs promtool/amtool with one install message when either is missing.
        globalSetup: ["test/global-setup.ts"],
        // Each file gets a fresh module graph, so a test's recorded resources never leak into another's.
        isolate: true,
        pool: "forks",
        testTimeout: 60_000,
        hookTimeout: 60_000,
        // CI also writes a machine-readable summary, from which .ci/run prints a plain "N passed, N failed" line.
        reporters: process.env.CI ? ["default", ["json", { outputFile: ".ci/vitest-results.json" }]] : ["default"],
    },
});
