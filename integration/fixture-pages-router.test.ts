/**
 * fixtures/pages-router: the seed recipe's shape migrated, a Pages Router app on Next 15.5
 * (`pages/api/auth/[...nextauth].ts` with `export default NextAuth(authOptions)`, getServerSideProps and an
 * API route reading the session with currentSession(req), the client helpers in `_app.tsx`), built from the
 * packed tarball outside this repository. The same fixture contract as the App Router fixture.
 */
import { describeFixture } from "../test-support/fixture-contract";

describeFixture("pages-router", { nextMajor: 15, minimumLibraryImports: 5 });
