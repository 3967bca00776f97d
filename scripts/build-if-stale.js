#!/usr/bin/env node
// `npm start`'s prestart: runs `npm run build` only when dist/ is missing or older than its inputs, so that
// a start without changes answers in about a second instead of rebuilding for 20-25 s.
//   node scripts/build-if-stale.js           build if stale
//   node scripts/build-if-stale.js --stamp   only record that dist/ matches the inputs (after `npm run build`)
// Inputs: every file under src/ (path, size, modification time), tsconfig.json, nest-cli.json and
// package-lock.json. Their fingerprint is kept in dist/.build-fingerprint; a file added, changed or
// removed changes it. `nest build` empties dist/ first, so a failed build leaves no fingerprint.
'use strict';
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = process.env.BUILD_IF_STALE_ROOT || join(__dirname, '..');
const stampFile = join(root, 'dist', '.build-fingerprint');

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

function fingerprint() {
  const hash = createHash('sha256');
  const inputs = [...files(join(root, 'src'))].sort();
  for (const name of ['tsconfig.json', 'nest-cli.json', 'package-lock.json']) {
    if (existsSync(join(root, name))) inputs.push(join(root, name));
  }
  for (const path of inputs) {
    const { size, mtimeMs } = statSync(path);
    hash.update(`${relative(root, path)}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

const current = fingerprint();
if (process.argv.includes('--stamp')) {
  writeFileSync(stampFile, `${current}\n`);
  process.exit(0);
}
const built = existsSync(stampFile) && existsSync(join(root, 'dist', 'main.js')) ? readFileSync(stampFile, 'utf8').trim() : '';
if (built === current) {
  console.log('dist/ is up to date with src/: not rebuilding (npm run build forces it)');
  process.exit(0);
}
console.log(built ? 'src/ changed since the last build: building' : 'no build yet: building');
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
