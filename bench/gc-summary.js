'use strict';
/**
 * Young-generation collections of a run, from the app's `--trace-gc-nvp` lines in its kept log:
 *   npm run bench -- --scenarios listSignedIn --no-reference --keep-logs --node-options="--trace-gc-nvp"
 *   node bench/gc-summary.js bench/results/<stamp>-<backend>-app.log
 * How much of what was allocated between scavenges outlived two of them (was promoted to the old generation),
 * and their mean pause. The first 100 scavenges (start-up, sign-ins, warm-up) are left out.
 */
const { readFileSync } = require('node:fs');

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/gc-summary.js APP_LOG');
  process.exit(2);
}
const scavenges = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => /\bgc=s\b/.test(line))
  .slice(100)
  .map((line) => Object.fromEntries(line.split(/\s+/).map((pair) => pair.split('='))));
if (scavenges.length === 0) {
  console.error(`${file}: fewer than 101 scavenges logged (was the app run with --trace-gc-nvp?)`);
  process.exit(1);
}
const sum = (key) => scavenges.reduce((total, gc) => total + Number(gc[key] ?? 0), 0);
const count = scavenges.length;
console.log(
  `${count} scavenges: promoted ${((100 * sum('promoted')) / sum('allocated')).toFixed(1)} % of what was allocated, ` +
    `${Math.round(sum('promoted') / count / 1024)} KB a scavenge; mean pause ${(sum('pause') / count).toFixed(2)} ms`,
);
