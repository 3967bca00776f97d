/**
 * The one skip-or-fail policy for suites that need something this machine may lack (a database server,
 * jongodb, the Datastore or Cloud Storage emulator, Chromium):
 *
 * - available: the suite runs, as `describe` would.
 * - missing on a developer machine: the suite does not run, and in its place stands one skipped test
 *   whose name is the reason, `skipped: <reason>`. Jest lists skipped tests by name, and
 *   test/skipped-reporter.js prints every one of them at the end of `npm test`, so a skip is never silent
 *   (a console.warn alone can be swallowed by Jest's reporters).
 * - missing with CI=true: one failing test that names what is missing, since a suite that quietly skips in
 *   CI proves nothing; except for what `optionalInCi` marks (the Datastore emulator, which some machine
 *   images cannot install), which is skipped as on a developer machine.
 */
export interface SkipOptions {
  /** Skipped rather than failed under CI=true as well. */
  optionalInCi?: boolean;
}

/** The name of the skipped test that stands in for a suite that cannot run. */
export function skippedTestName(reason: string): string {
  return `skipped: ${reason}`;
}

/**
 * `describe` when `unavailable` is null; otherwise a `describe` of the same name holding only the
 * skipped (or, under CI=true, failing) test that says why. The suite's body is not even collected then,
 * so its hooks never try to reach the missing server.
 */
export function describeWhen(unavailable: string | null, options: SkipOptions = {}): (name: string, suite: () => void) => void {
  if (unavailable === null) return (name, suite) => describe(name, suite);
  if (process.env.CI === 'true' && !options.optionalInCi) {
    return (name) =>
      describe(name, () => {
        it('has what it needs to run', () => {
          throw new Error(`${unavailable} (CI=true: a missing server fails the run)`);
        });
      });
  }
  return (name) =>
    describe(name, () => {
      it.skip(skippedTestName(unavailable), () => undefined);
    });
}
