import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal scripted OAuth provider for claims no real provider can be made to send (a missing or
 * empty `sub`, a 100,000-character name with a NUL, a `javascript:` picture) and for one that hangs.
 * It speaks just enough of the authorization-code flow for passport-google-oauth20: `/auth` redirects
 * straight back with a code and the state, `/token` returns an access token, `/userinfo` returns
 * `claims` (the strategy parses OpenID claims only for a URL ending in /userinfo). It checks nothing:
 * the app's side of the flow (state, PKCE) is tested against the real development provider.
 */
export interface ScriptedProvider {
  /** What `/userinfo` returns next: set it before each sign-in. */
  claims: Record<string, unknown>;
  /** When true, `/token` accepts the request and never answers. */
  hangToken: boolean;
  /** The settings that point the app at this provider. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startScriptedProvider(): Promise<ScriptedProvider> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://provider');
    if (url.pathname === '/auth') {
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', 'scripted-code');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
    } else if (url.pathname === '/token') {
      // Hanging: the request is read and never answered; close() cuts the connection.
      if (!provider.hangToken)
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: 'scripted-token', token_type: 'Bearer' }));
    } else if (url.pathname === '/userinfo') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(provider.claims));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider: ScriptedProvider = {
    claims: {},
    hangToken: false,
    env: {
      AUTH_PROVIDER: 'google',
      GOOGLE_OAUTH2_CLIENT_ID: 'scripted-client',
      GOOGLE_OAUTH2_CLIENT_SECRET: 'scripted-secret',
      GOOGLE_OAUTH2_AUTH_URL: `${origin}/auth`,
      GOOGLE_OAUTH2_TOKEN_URL: `${origin}/token`,
      GOOGLE_OAUTH2_USERINFO_URL: `${origin}/userinfo`,
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return provider;
}
