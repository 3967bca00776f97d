import { readdirSync, readFileSync } from 'node:fs';

/**
 * Stops a server process (SIGSTOP) as a server that accepts connections but never answers. `kill` only
 * queues the signal: a thread running at that moment may still answer a query or two, so this returns
 * once every thread of the process reports the stopped state (bounded: 2 s).
 */
export function freeze(pid: number): void {
  process.kill(pid, 'SIGSTOP');
  const deadline = Date.now() + 2000;
  const stopped = () =>
    readdirSync(`/proc/${pid}/task`).every((task) => /^\d+ \(.*\) [Tt] /s.test(readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8')));
  while (!stopped()) {
    if (Date.now() > deadline) throw new Error(`process ${pid} did not stop within 2 s`);
  }
}
