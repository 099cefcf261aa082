import { beforeAll } from "vitest";
import { installMocks } from "./mocks";

// Runs in every test file before its tests, so each resource the program registers is mocked and
// recorded. Test files load the program (`index.ts`) inside tests, after this has run.
beforeAll(async () => {
    await installMocks();
});
