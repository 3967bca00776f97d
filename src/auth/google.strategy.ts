import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { type Profile, Strategy } from 'passport-google-oauth20';
import { AppConfig } from '../config/app-config';
import { addProviderDeadline } from './provider-deadline';
import type { SessionUser } from './session-user';
import { sessionUserFromProfile } from './session-user-from-profile';

/**
 * Google sign-in (or any OpenID provider with the same endpoints: the development provider, tests).
 * Authorization-code flow with `state` and PKCE (S256) kept in the session by passport-oauth2;
 * the tokens are used once to read the profile and never stored. The token and userinfo calls each
 * have a deadline; a profile that cannot identify a person (see `sessionUserFromProfile`) fails sign-in.
 */
@Injectable()
export class GoogleStrategy extends PassportStrategy(Strategy, 'google') {
  constructor(config: AppConfig) {
    super({
      clientID: config.oauthClientId,
      clientSecret: config.oauthClientSecret,
      callbackURL: config.callbackUrl,
      authorizationURL: config.oauthEndpoints.authorizationURL,
      tokenURL: config.oauthEndpoints.tokenURL,
      userProfileURL: config.oauthEndpoints.userProfileURL,
      scope: ['openid', 'email', 'profile'],
      state: true,
      pkce: true,
    });
    addProviderDeadline((this as unknown as { _oauth2: unknown })._oauth2);
  }

  /**
   * `reauth` (a fresh sign-in before something that cannot be undone): OpenID's `prompt=login` and
   * `max_age=0` make the provider authenticate the person again, even with a live session there.
   * passport-google-oauth20 passes `prompt` through but knows no `max_age`.
   * `chooseAccount` (the first sign-in after signing out here): OpenID's `prompt=select_account` makes
   * the provider show its account chooser (Google) or sign-in page (the development provider) instead of
   * signing its current account straight back in. `reauth` wins: it asks for more.
   */
  override authorizationParams(options: { reauth?: boolean; chooseAccount?: boolean }): object {
    const params = super.authorizationParams(options) as Record<string, unknown>;
    if (options.reauth) return { ...params, prompt: 'login', max_age: 0 };
    if (options.chooseAccount) return { ...params, prompt: 'select_account' };
    return params;
  }

  /** Throwing here fails the sign-in: the callback guard turns it into a SignInOutcome. */
  validate(_accessToken: string, _refreshToken: string, profile: Profile): SessionUser {
    return sessionUserFromProfile(profile);
  }
}
