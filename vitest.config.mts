import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // setMocks must run before any program module loads @pulumi/pulumi resources.
        setupFiles: ["test/setup.ts"],
        // Each file gets a fresh module graph, so a test's recorded resources never leak into another's.
        isolate: true,
        pool: "forks",
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
