import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { type Profile, Strategy } from 'passport-google-oauth20';
import { AppConfig } from '../config/app-config';
import type { SessionUser } from './session-user';

/**
 * Google sign-in (or any OpenID provider with the same endpoints: the development provider, tests).
 * Authorization-code flow with `state` and PKCE (S256) kept in the session by passport-oauth2;
 * the tokens are used once to read the profile and never stored.
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
  }

  validate(_accessToken: string, _refreshToken: string, profile: Profile): SessionUser {
    const email = profile.emails?.[0]?.value ?? '';
    return {
      id: profile.id,
      name: profile.displayName || email || 'Someone',
      email,
      picture: profile.photos?.[0]?.value ?? null,
    };
  }
}
