'use strict';
/**
 * Summarises a V8 CPU profile (`npm run bench -- --cpu-prof`): the functions with the most self time,
 * and the packages (or our own files) that time is spent in. Usage: node bench/profile-summary.js FILE [N]
 */
const { readFileSync } = require('node:fs');

const [file, top = '30'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const selfTime = new Map();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const byFunction = new Map();
const byPackage = new Map();
let total = 0;
for (const [id, micros] of selfTime) {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  const where = url.replace(/^file:\/\//, '');
  const pkg = where.includes('node_modules/')
    ? where
        .split('node_modules/')
        .at(-1)
        .split('/')
        .slice(0, where.split('node_modules/').at(-1).startsWith('@') ? 2 : 1)
        .join('/')
    : where.includes('/dist/')
      ? `app:${where.split('/dist/')[1]}`
      : where || functionName;
  const key = `${functionName || '(anonymous)'} ${where.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
  total += micros;
}
const show = (map) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(top))
    .map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`)
    .join('\n');
console.log(
  `Total ${(total / 1000).toFixed(0)} ms\n\nBy package / file:\n${show(byPackage)}\n\nBy function (self time):\n${show(byFunction)}`,
);
