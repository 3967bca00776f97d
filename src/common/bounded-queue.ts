import { Busy } from './domain-errors';

export interface QueueLimits {
  /** Tasks that run at once. */
  running: number;
  /** Tasks that may wait for a turn; one more is refused with `Busy` at once. */
  waiting: number;
  /** A waiting task that has not started by then gives up with `Busy`. */
  maxWaitMs: number;
}

/**
 * Runs at most `running` tasks at once, in arrival order, and refuses work (`Busy`, answered with 503
 * and `Retry-After`) rather than letting a queue grow without bound: under a flood the requests fail fast
 * instead of every one of them waiting longer and longer while holding its upload in memory.
 */
export class BoundedQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  /** `busyMessage` is what a refused person reads: the work this queue does, in their words. */
  constructor(
    private readonly limits: QueueLimits,
    private readonly busyMessage?: string,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.turn();
    try {
      return await task();
    } finally {
      // A finishing task hands its slot straight to the next waiter, so none can overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  private turn(): Promise<void> {
    if (this.running < this.limits.running) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.limits.waiting) return Promise.reject(new Busy(this.busyMessage));
    return new Promise((resolve, reject) => {
      const start = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(start), 1);
        reject(new Busy(this.busyMessage));
      }, this.limits.maxWaitMs);
      this.waiting.push(start);
    });
  }
}
