import { beforeAll, vi } from "vitest";
import { installMocks, resetHarness } from "./mocks";

// Runs in every test file before the file is imported. A worker runs many files one after the
// other (`isolate: false`: the SDK and the other node_modules load once per worker), so each file
// starts here from what a fresh process would give it: an empty recorder, no stack config, and a
// fresh module graph of the program (a file's `import("../index")` runs the program again).
resetHarness();
vi.resetModules();
plainSdkDebugStacks();

// Each resource the program registers is mocked and recorded. Test files load the program
// (`index.ts`) inside tests, after this has run.
beforeAll(async () => {
    await installMocks();
});

/**
 * The SDK reads `new Error().stack` for every promise it makes (`debuggablePromise` in
 * runtime/debuggable.js, for its leak report) and for every resource (`Resource.callsites` in
 * resource.js, stackTraceLimit Infinity, for the source position it sends the engine). Under vitest
 * each of those traces goes through vite's source-map `Error.prepareStackTrace` (module-runner
 * `sourcemapInterceptor: "prepareStackTrace"`): ~40 % of a stack evaluation's CPU. Those two
 * traces are formatted as V8 would without the interceptor (`at <CallSite>` lines, the format
 * `Resource.framePositionRegExp` parses); every other error keeps vite's source-mapped stack.
 */
function plainSdkDebugStacks(): void {
    const g = globalThis as { __mlplatformPlainSdkStacks?: boolean };
    const vite = Error.prepareStackTrace;
    if (g.__mlplatformPlainSdkStacks || vite === undefined) {
        return;
    }
    g.__mlplatformPlainSdkStacks = true;
    const sdk = /[\\/]@pulumi[\\/]pulumi[\\/](runtime[\\/]debuggable|resource)\.js$/;
    Error.prepareStackTrace = (error, frames) => {
        const top = frames[0];
        if (top !== undefined && sdk.test(top.getFileName() ?? "") && ["debuggablePromise", "callsites"].includes(top.getFunctionName() ?? "")) {
            return `${error.name}: ${error.message}${frames.map((f) => `\n    at ${f}`).join("")}`;
        }
        return vite(error, frames);
    };
}
