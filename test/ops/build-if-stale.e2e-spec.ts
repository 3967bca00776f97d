import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '../../scripts/build-if-stale.js');

/** A project whose `npm run build` writes dist/main.js, counts its runs and stamps, as package.json's does. */
function project(): { root: string; builds: () => number; prestart: () => { output: string; ms: number; status: number | null } } {
  const root = mkdtempSync(join(tmpdir(), 'bookshelf-prestart-'));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src/main.ts'), 'console.log(1);\n');
  writeFileSync(join(root, 'src/other.ts'), 'export {};\n');
  writeFileSync(join(root, 'tsconfig.json'), '{}\n');
  writeFileSync(
    join(root, 'build.js'),
    `const fs = require('node:fs');
fs.rmSync('dist', { recursive: true, force: true });
fs.mkdirSync('dist');
fs.writeFileSync('dist/main.js', '');
fs.appendFileSync('builds.log', 'x');`,
  );
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'p', private: true, scripts: { build: `node build.js && node ${JSON.stringify(SCRIPT)} --stamp` } }),
  );
  const builds = () => {
    try {
      return readFileSync(join(root, 'builds.log'), 'utf8').length;
    } catch {
      return 0;
    }
  };
  const prestart = () => {
    const started = Date.now();
    const run = spawnSync(process.execPath, [SCRIPT], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', BUILD_IF_STALE_ROOT: root },
      encoding: 'utf8',
    });
    return { output: run.stdout + run.stderr, ms: Date.now() - started, status: run.status };
  };
  return { root, builds, prestart };
}

describe("npm start's prestart (scripts/build-if-stale.js)", () => {
  const made: string[] = [];
  afterAll(() => made.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('builds once, then starts without building until a source file is changed, added or removed', () => {
    const { root, builds, prestart } = project();
    made.push(root);

    expect(prestart()).toMatchObject({ status: 0, output: expect.stringContaining('no build yet: building') });
    expect(builds()).toBe(1);

    const unchanged = prestart();
    expect(unchanged).toMatchObject({ status: 0, output: expect.stringContaining('dist/ is up to date') });
    expect(unchanged.ms).toBeLessThan(2000);
    expect(builds()).toBe(1);

    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, 'src/main.ts'), later, later);
    expect(prestart().output).toContain('src/ changed since the last build: building');
    expect(builds()).toBe(2);

    writeFileSync(join(root, 'src/added.ts'), 'export {};\n');
    prestart();
    expect(builds()).toBe(3);
    unlinkSync(join(root, 'src/other.ts'));
    prestart();
    expect(builds()).toBe(4);
    writeFileSync(join(root, 'tsconfig.json'), '{"compilerOptions":{}}\n');
    prestart();
    expect(builds()).toBe(5);

    expect(prestart().output).toContain('dist/ is up to date');
    expect(builds()).toBe(5);
  });

  it('rebuilds when dist/ was emptied by hand, and fails when the build fails', () => {
    const { root, builds, prestart } = project();
    made.push(root);
    prestart();
    rmSync(join(root, 'dist'), { recursive: true });
    prestart();
    expect(builds()).toBe(2);

    writeFileSync(join(root, 'build.js'), 'process.exit(3);');
    writeFileSync(join(root, 'src/main.ts'), 'console.log(2);\n');
    expect(prestart().status).not.toBe(0);
    expect(prestart().output).toContain('building');
  });
});
