import * as pulumi from "@pulumi/pulumi";
import { beforeAll, vi } from "vitest";
import { installMocks, resetHarness } from "./mocks";

// Runs in every test file before the file is imported. A worker runs many files one after the
// other (`isolate: false`: the SDK and the other node_modules load once per worker), so each file
// starts here from what a fresh process would give it: an empty recorder, no stack config, and a
// fresh module graph of the program (a file's `import("../index")` runs the program again).
resetHarness();
pulumi.runtime.setAllConfig({}, []);
vi.resetModules();

// Each resource the program registers is mocked and recorded. Test files load the program
// (`index.ts`) inside tests, after this has run.
beforeAll(async () => {
    await installMocks();
});
