import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '../..');
const run = promisify(execFile);

interface Cruise {
  summary: { violations: { rule: { name: string }; from: string; to: string }[] };
}

/** depcruise with the repository's rules, from `cwd` (whose `src/` it checks); resolves with its JSON report. */
async function cruise(cwd: string): Promise<Cruise> {
  const args = [
    join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
    'src',
    '--config',
    join(ROOT, '.dependency-cruiser.js'),
    '--output-type',
    'json',
  ];
  // depcruise exits non-zero when it finds violations; the report is on stdout either way.
  const { stdout } = await run(process.execPath, args, { cwd, maxBuffer: 16 * 1024 * 1024 }).catch((error: { stdout?: string }) => ({
    stdout: error.stdout ?? '',
  }));
  return JSON.parse(stdout) as Cruise;
}

describe('the layering rules (.dependency-cruiser.js)', () => {
  it('find one violation of each rule in the deliberate fixture', async () => {
    const { summary } = await cruise(join(ROOT, 'test/fixtures/layering'));
    const found = summary.violations.map((v) => `${v.rule.name}: ${v.from}`).sort();
    expect(found).toEqual([
      'common-imports-no-feature: src/common/uses-a-feature.ts',
      'data-sdks-only-in-adapters: src/books/uses-kysely-outside-persistence.ts',
      'database-imports-no-feature: src/database/reaches-into-a-feature.ts',
      'drivers-only-in-database: src/books/opens-a-driver.ts',
      'no-circular: src/loop/a.ts',
      'no-other-features-adapters: src/reviews/reads-books-persistence.ts',
    ]);
  });

  it('hold for the application itself', async () => {
    const { summary } = await cruise(ROOT);
    expect(summary.violations).toEqual([]);
  });
});
