'use strict';
/** autocannon, run from the benchmark's process (never the server's), and what we read from its result. */
const autocannon = require('autocannon');

/** Headers sent with every request of every scenario (run.js sets a `traceparent` with --trace-headers). */
const commonHeaders = {};

/**
 * Measures one scenario. `scenario.requests` (autocannon request objects, optionally with `setupRequest`)
 * or `scenario.path`; `scenario.expect` is the status every response should have.
 */
function measure(baseUrl, scenario, { connections, seconds }) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections,
        duration: seconds,
        pipelining: 1,
        timeout: 10,
        // Connection errors and timeouts are counted, never a reason to stop early.
        bailout: undefined,
        headers: commonHeaders,
        requests: scenario.requests ?? [{ method: 'GET', path: scenario.path }],
      },
      (error, result) => (error ? reject(error) : resolve(summarise(result, scenario.expect))),
    );
    instance.on('error', reject);
  });
}

function summarise(result, expected) {
  let unexpected = 0;
  const statuses = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[code] = Number(count);
    if (Number(code) !== expected) unexpected += Number(count);
  }
  return {
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts + unexpected,
    connectionErrors: result.errors,
    timeouts: result.timeouts,
    statuses,
    throughputMBps: Math.round((result.throughput.average / 1048576) * 10) / 10,
  };
}

module.exports = { measure, commonHeaders };
