'use strict';
/**
 * What each request allocates, by function: preloaded into the app by the bench,
 *   npm run bench -- --scenarios listSignedIn --no-reference --node-options="--require $PWD/bench/alloc-sample.js"
 * V8's sampling heap profiler (objects that died young counted too) runs from the 8,000th request the app
 * receives to the 18,000th (past the sign-ins and the warm-up of a single scenario); the bytes per request and
 * the functions that allocated them go to bench/results/alloc-<pid>.txt. Deterministic where CPU time is not:
 * a change's effect on allocation shows in one run on a busy machine. The profiler slows the app: read its
 * run's req/s and CPU figures as nothing. bench/promoted-sample.js preloads this with only what outlived the
 * young generation counted (objects a full collection freed, or alive at the end) to bench/results/promoted-<pid>.txt.
 */
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const http = require('node:http');
const { join } = require('node:path');

const PROMOTED = globalThis.__benchSamplePromoted === true;
const FROM = 8000;
const TO = 18000;
const session = new Session();
session.connect();

let requests = 0;
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === 'request' && ++requests >= FROM && requests <= TO) {
    if (requests === FROM) start();
    if (requests === TO) stop();
  }
  return emit.call(this, event, ...args);
};

function start() {
  session.post('HeapProfiler.enable', () =>
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 2048,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: !PROMOTED,
    }),
  );
}

function stop() {
  session.post('HeapProfiler.stopSampling', (error, result) => {
    const out = join(__dirname, 'results', `${PROMOTED ? 'promoted' : 'alloc'}-${process.pid}.txt`);
    if (error) return writeFileSync(out, `sampling failed: ${error.message}\n`);
    const byFunction = new Map();
    let total = 0;
    const visit = (node) => {
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'app:');
      const key = `${functionName || '(anonymous)'} ${where}:${lineNumber}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
      total += node.selfSize;
      node.children.forEach(visit);
    };
    visit(result.profile.head);
    const count = TO - FROM;
    const lines = [...byFunction]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 40)
      .map(
        ([key, bytes]) => `${((100 * bytes) / total).toFixed(1).padStart(5)}% ${String(Math.round(bytes / count)).padStart(6)} B  ${key}`,
      );
    writeFileSync(
      out,
      `${(total / count / 1024).toFixed(1)} KB ${PROMOTED ? 'outlived the young generation' : 'allocated'} per request (requests ${FROM}-${TO})\n${lines.join('\n')}\n`,
    );
  });
}
