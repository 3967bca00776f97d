import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '../..');
const run = promisify(execFile);

interface Cruise {
  summary: { violations: { rule: { name: string }; from: string; to: string }[] };
  modules: { source: string; dependencies: { resolved: string }[] }[];
}

/** The folders under src/ (a file directly in src/ is its own), and which folders each one imports. */
function folderGraph(cruise: Cruise): Map<string, Set<string>> {
  const folderOf = (path: string) => /^src\/([^/]+)\//.exec(path)?.[1] ?? null;
  const graph = new Map<string, Set<string>>();
  for (const module of cruise.modules) {
    const from = folderOf(module.source);
    if (!from) continue;
    for (const { resolved } of module.dependencies) {
      const to = folderOf(resolved);
      if (to && to !== from) graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

/** Every cycle of folders, as the path that closes it (depth-first search). */
function folderCycles(graph: Map<string, Set<string>>): string[] {
  const cycles: string[] = [];
  const walk = (folder: string, path: string[]) => {
    for (const next of graph.get(folder) ?? []) {
      if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
      else walk(next, [...path, next]);
    }
  };
  for (const folder of graph.keys()) walk(folder, [folder]);
  return cycles;
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

  it('leave no cycle between the folders of src/ (which no-circular, a rule on files, would not see)', async () => {
    const app = await cruise(ROOT);
    expect(folderGraph(app).size).toBeGreaterThan(5);
    expect(folderCycles(folderGraph(app))).toEqual([]);
    // And the search finds a cycle when there is one:
    expect(
      folderCycles(
        new Map([
          ['a', new Set(['b'])],
          ['b', new Set(['c'])],
          ['c', new Set(['a'])],
        ]),
      ),
    ).toContain('a -> b -> c -> a');
  });
});
