/**
 * fixtures/app-router: the recipe app migrated, an App Router app on Next 16 (server components and route
 * handlers read the session with currentSession()), built from the packed tarball outside this repository.
 * The checks are the fixture contract every fixture passes (test-support/fixture-contract.ts).
 */
import { describeFixture } from "../test-support/fixture-contract";

describeFixture("app-router", { nextMajor: 16, minimumLibraryImports: 3 });
