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
 * `sourcemapInterceptor: "prepareStackTrace"`).
 *
 * - `debuggablePromise` (@pulumi/pulumi 3.270.0): the trace is captured only to be printed in the SDK's leak report at
 *   process exit (`promiseDebugString`, its one reader), which a test never reads. Capturing it was
 *   a third of the suite's CPU, so under the harness it is captured with `Error.stackTraceLimit = 0`
 *   (the report keeps the promise's id and context, e.g. `resolveURN(...)`, and only loses the
 *   frames). The promise itself, its id, context and leak bookkeeping are the SDK's own code,
 *   unchanged: the wrapper calls the original. test/harness-isolation.test.ts checks both.
 * - `Resource.callsites`: its trace is parsed, so it is formatted as V8 would without the
 *   interceptor (`at <CallSite>` lines, the format `Resource.framePositionRegExp` parses).
 * Every other error keeps vite's source-mapped stack.
 */
function plainSdkDebugStacks(): void {
    const g = globalThis as { __mlplatformPlainSdkStacks?: boolean };
    const vite = Error.prepareStackTrace;
    if (g.__mlplatformPlainSdkStacks || vite === undefined) {
        return;
    }
    g.__mlplatformPlainSdkStacks = true;
    // The SDK's modules call `debuggable_1.debuggablePromise(...)`, reading the export at each call.
    const debuggable: { debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T> } = require("@pulumi/pulumi/runtime/debuggable");
    const original = debuggable.debuggablePromise;
    debuggable.debuggablePromise = function <T>(p: Promise<T>, ctx: unknown): Promise<T> {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return original(p, ctx);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
    const sdk = /[\\/]@pulumi[\\/]pulumi[\\/]resource\.js$/;
    Error.prepareStackTrace = (error, frames) => {
        const top = frames[0];
        if (top !== undefined && top.getFunctionName() === "callsites" && sdk.test(top.getFileName() ?? "")) {
            return `${error.name}: ${error.message}${frames.map((f) => `\n    at ${f}`).join("")}`;
        }
        return vite(error, frames);
    };
}
