/** What is counted, and against whom. */
export const LIMITED_ACTIONS = ['signInStart', 'signInFinish', 'writes', 'uploads'] as const;
export type LimitedAction = (typeof LIMITED_ACTIONS)[number];

/**
 * Counts requests against the configured budgets (`RATE_LIMIT_*`). Every instance of the app that shares
 * the limiter's store (Redis, or the data backend's database) shares one budget per key.
 *
 * Adapters keep these invariants: `consume` counts the request and resolves to null while the key is within
 * its budget, or to the whole seconds until it will be again; it never rejects and never takes longer than
 * the backend time budget, counting in this instance's memory while the shared store is unreachable.
 */
export abstract class RateLimiter {
  abstract consume(action: LimitedAction, key: string): Promise<number | null>;
}
