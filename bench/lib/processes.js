'use strict';
/** Child processes of the benchmark (app, identity provider, ceiling server) and what it reads about them. */
const { spawn } = require('node:child_process');
const { readFileSync, readdirSync } = require('node:fs');
const { createServer } = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Refuses anything but loopback: the benchmark must never load someone else's server. */
function assertLoopback(url) {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) throw new Error(`Refusing to benchmark a non-loopback host: ${url}`);
}

/** Spawns a Node process; `output()` keeps the last 64 KiB of stderr (and of stdout unless `stdout` is a file). */
function startNode(script, args, { env, cwd, stdout, nodeArgs = [], node = process.execPath }) {
  const child = spawn(node, [...nodeArgs, script, ...args], {
    cwd,
    env,
    stdio: ['ignore', stdout ?? 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-65536);
  };
  child.stdout?.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, pid: child.pid, exited, output: () => output };
}

/** Waits for a line matching `pattern` on the child's stdout; returns the match. */
function waitForLine(proc, pattern, timeoutMs = 20_000) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error(`No ${pattern} within ${timeoutMs} ms:\n${proc.output()}`)), timeoutMs);
    const onData = (chunk) => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match) done(null, match);
    };
    const onExit = (code) => done(new Error(`Exited with ${code} before printing ${pattern}:\n${proc.output()}`));
    function done(error, match) {
      clearTimeout(timer);
      proc.child.stdout.off('data', onData);
      proc.child.off('exit', onExit);
      if (error) reject(error);
      else resolve(match);
    }
    proc.child.stdout.on('data', onData);
    proc.child.once('exit', onExit);
  });
}

/** Polls `url` until it answers 200; returns the milliseconds since `since`. Bounded by `timeoutMs`. */
async function waitForOk(url, proc, since, timeoutMs = 30_000) {
  const deadline = since + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`Exited with ${proc.child.exitCode} while starting:\n${proc.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return Date.now() - since;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${proc.output()}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with exit code, signal and the time it took. */
async function stop(proc, graceMs = 10_000) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null)
    return { code: proc.child.exitCode, signal: proc.child.signalCode, ms: 0 };
  const started = Date.now();
  const killer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  proc.child.kill('SIGTERM');
  const result = await proc.exited;
  clearTimeout(killer);
  return { ...result, ms: Date.now() - started };
}

/** Resident set size (and its peak) in MiB, from /proc (Linux). */
function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
    return { rssMb: round(kb('VmRSS') / 1024), peakRssMb: round(kb('VmHWM') / 1024) };
  } catch {
    return { rssMb: NaN, peakRssMb: NaN };
  }
}

/** Open file descriptors (sockets, files, pipes): the process's open handles as the kernel sees them. */
function openFds(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) the process has used, from /proc (Linux; clock ticks of 1/100 s). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function round(n, digits = 1) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

module.exports = { freePort, assertLoopback, startNode, waitForLine, waitForOk, stop, memory, openFds, cpuSeconds, round };
