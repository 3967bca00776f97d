import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { type LimitedAction, RateLimiter } from './rate-limiter';
import { RateLimited } from './rate-limits.errors';

const LIMITED = 'bookshelf:rateLimited';

/** Counts every request to the route against the given actions' budgets (429 with `Retry-After` beyond). */
export const RateLimit = (...actions: LimitedAction[]) => SetMetadata(LIMITED, actions);

/**
 * Whom each action is counted against, or null when it does not apply to the request. Client addresses
 * come from Express's `req.ip`, which honours `TRUST_PROXY` hops and nothing else, so a forged
 * `X-Forwarded-For` cannot pick a fresh budget.
 */
const KEY_OF: Record<LimitedAction, (req: Request) => string | null> = {
  signInStart: (req) => req.ip ?? 'unknown',
  signInFinish: (req) => req.ip ?? 'unknown',
  writes: (req) => req.user?.id ?? null,
  // A write that carries a cover; the multipart body has been parsed (with its limits) by now.
  uploads: (req) => (req.user && req.file ? req.user.id : null),
};

/** A global guard after the CSRF guard, so that forged requests never spend someone's budget. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const actions = this.reflector.get<LimitedAction[] | undefined>(LIMITED, context.getHandler());
    if (!actions) return true;
    const request = context.switchToHttp().getRequest<Request>();
    for (const action of actions) {
      const key = KEY_OF[action](request);
      if (key === null) continue;
      const retryAfter = await this.limiter.consume(action, key);
      if (retryAfter !== null) throw new RateLimited(retryAfter);
    }
    return true;
  }
}
