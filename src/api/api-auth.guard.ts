import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { LimitedAction } from '../rate-limits/rate-limiter';
import { RateLimiter } from '../rate-limits/rate-limiter';
import { RateLimited } from '../rate-limits/rate-limits.errors';
import { type AccessToken, allowsScope, type TokenScope } from '../tokens/access-token';
import { MissingScope, TokenRequired } from '../tokens/tokens.errors';
import { TokensService } from '../tokens/tokens.service';

declare module 'express' {
  interface Request {
    /** The API token the request presented and that was accepted (set by `ApiAuthGuard`). */
    apiToken?: AccessToken;
  }
}

export interface ApiAuthOptions {
  /** The scope the route needs; without one, a token is optional (but checked when sent). */
  scope?: TokenScope;
  /** Budgets counted per token once the token and its scope are accepted. */
  limits?: LimitedAction[];
}

const API_AUTH = 'bookshelf:apiAuth';

export const ApiAuth = (options: ApiAuthOptions = {}) => SetMetadata(API_AUTH, options);

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

/**
 * Who an API request acts for, from `Authorization: Bearer bks_...` only (never the session cookie), in the
 * order of the pages: 401 (no token where one is needed; an unknown, revoked or expired one anywhere),
 * 403 (the scope), then 429 (the route's budgets, counted per token). The route then checks the book: 404,
 * 403 for someone else's.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const options = this.reflector.get<ApiAuthOptions | undefined>(API_AUTH, context.getHandler()) ?? {};
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers.authorization;
    if (header === undefined) {
      if (options.scope) throw new TokenRequired(false);
      return true;
    }
    const match = BEARER.exec(header);
    if (!match) throw new TokenRequired(true);
    const token = await this.tokens.authenticate(match[1]);
    if (options.scope && !allowsScope(token, options.scope)) throw new MissingScope(options.scope);
    req.apiToken = token;
    for (const action of options.limits ?? []) {
      if (action === 'uploads' && !Buffer.isBuffer(req.body)) continue;
      const retryAfter = await this.limiter.consume(action, `token:${token.id}`);
      if (retryAfter !== null) throw new RateLimited(retryAfter);
    }
    return true;
  }
}
