import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard, type IAuthModuleOptions } from '@nestjs/passport';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { ChooseAccountCookie } from './choose-account-cookie';
import { safeReturnPath } from './return-path';
import type { SessionUser } from './session-user';

/**
 * Starts sign-in: passport redirects to the provider, keeping the return path in the OAuth state.
 * `?reauth=1` asks the provider to authenticate the person again; after a sign-out from this browser
 * (`ChooseAccountCookie`) it asks the provider to let the person choose an account (see
 * GoogleStrategy.authorizationParams).
 */
@Injectable()
export class GoogleSignInGuard extends AuthGuard('google') {
  private readonly chooseAccount: ChooseAccountCookie;

  constructor(config: AppConfig) {
    super();
    this.chooseAccount = new ChooseAccountCookie(config);
  }

  override getAuthenticateOptions(context: ExecutionContext): IAuthModuleOptions {
    const request = context.switchToHttp().getRequest<Request>();
    return {
      state: { returnTo: safeReturnPath(request.query.return_url) },
      reauth: request.query.reauth === '1',
      chooseAccount: this.chooseAccount.isSetOn(request),
    } as IAuthModuleOptions;
  }
}

export type SignInOutcome = { ok: true; user: SessionUser; returnTo: string } | { ok: false; reason: string; error?: unknown };

declare module 'express' {
  interface Request {
    signInOutcome?: SignInOutcome;
  }
}

/**
 * Finishes sign-in. It never throws: success and every failure (cancelled at the provider, stale or
 * forged `state`, token or profile errors) become a `SignInOutcome` for the controller, which logs in.
 */
@Injectable()
export class GoogleCallbackGuard extends AuthGuard('google') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    // Without a code or an error, passport would start a new sign-in instead of finishing one.
    if (!request.query.code && !request.query.error) {
      request.signInOutcome = { ok: false, reason: 'callback without code' };
      return true;
    }
    return super.canActivate(context) as Promise<boolean>;
  }

  override getAuthenticateOptions(): IAuthModuleOptions {
    return { property: 'signInOutcome', session: false };
  }

  override handleRequest<T>(error: unknown, user: unknown, info: unknown): T {
    if (error || !user) {
      const message = (info as { message?: string } | undefined)?.message;
      return { ok: false, reason: describe(error) ?? message ?? 'sign-in refused', error } as T;
    }
    const state = (info as { state?: { returnTo?: unknown } } | undefined)?.state;
    return { ok: true, user: user as SessionUser, returnTo: safeReturnPath(state?.returnTo) } as T;
  }
}

function describe(error: unknown): string | undefined {
  if (!error) return undefined;
  // passport-oauth2 wraps node-oauth's errors (a timeout, a refused connection) as `oauthError`.
  const e = error as { name?: string; message?: string; code?: string; oauthError?: { data?: string; message?: string } };
  return [e.name, e.code, e.message, e.oauthError?.data, e.oauthError?.message].filter(Boolean).join(': ');
}
