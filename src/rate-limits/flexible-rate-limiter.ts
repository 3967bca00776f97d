import { Logger } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { QUERY_TIMEOUT_MS } from '../database/backend-limits';
import type { RateLimit, RateLimitBucket } from '../config/app-config';
import { type LimitedAction, RateLimiter } from './rate-limiter';

/** The budget each action is counted against: sign-in's start and finish each have the sign-in budget. */
const BUDGET_OF: Record<LimitedAction, RateLimitBucket> = {
  signInStart: 'signIn',
  signInFinish: 'signIn',
  writes: 'writes',
  uploads: 'uploads',
};

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  duration: number;
}

/** Builds a rate-limiter-flexible limiter over one shared store. */
export type LimiterFactory = (options: LimiterOptions) => RateLimiterAbstract;

/**
 * The `RateLimiter` port over rate-limiter-flexible: one limiter per action over the chosen store, each
 * bounded by the backend time budget and insured by an in-memory limiter of the same budget, so an
 * unreachable store degrades the limits to this instance instead of failing requests.
 */
export class FlexibleRateLimiter extends RateLimiter {
  private readonly logger = new Logger('RateLimits');
  private readonly limiters: Record<LimitedAction, RateLimiterAbstract>;
  private warnedAt = 0;

  constructor(
    budgets: Record<RateLimitBucket, RateLimit>,
    store: LimiterFactory,
    readonly close: () => Promise<void> = async () => undefined,
  ) {
    super();
    const build = (action: LimitedAction): RateLimiterAbstract => {
      const { points, seconds: duration } = budgets[BUDGET_OF[action]];
      const options = { keyPrefix: `bookshelf:${action}`, points, duration };
      return new RLWrapperTimeouts({
        limiter: store(options),
        timeoutMs: QUERY_TIMEOUT_MS,
        insuranceLimiter: new RateLimiterMemory(options),
      });
    };
    this.limiters = {
      signInStart: build('signInStart'),
      signInFinish: build('signInFinish'),
      writes: build('writes'),
      uploads: build('uploads'),
    };
  }

  async consume(action: LimitedAction, key: string): Promise<number | null> {
    try {
      await this.limiters[action].consume(key);
      return null;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
      // Only when the insurance limiter itself failed, which a memory limiter does not: let the request through.
      this.warnOnce(outcome);
      return null;
    }
  }

  private warnOnce(error: unknown): void {
    if (Date.now() - this.warnedAt < 60_000) return;
    this.warnedAt = Date.now();
    this.logger.warn(`Rate limits not counted: ${String(error)}`);
  }
}

/** `RATE_LIMITS=off`: nothing is counted. */
export class NoRateLimiter extends RateLimiter {
  async consume(): Promise<null> {
    return null;
  }
}
