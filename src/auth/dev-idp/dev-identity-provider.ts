import { createHash, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { type AppConfig, DEV_IDP_CLIENT, DEV_IDP_PATH, isLoopback } from '../../config/app-config';

/** The slice of oidc-provider's API used here (the package is ESM and ships no types). */
interface OidcProvider {
  proxy: boolean;
  callback(): (req: Request, res: Response) => void;
  interactionDetails(req: Request, res: Response): Promise<InteractionDetails>;
  interactionFinished(
    req: Request,
    res: Response,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission: boolean },
  ): Promise<void>;
  Grant: new (args: { accountId: string; clientId: string }) => { addOIDCScope(scope: string): void; save(): Promise<string> };
}

interface InteractionDetails {
  uid: string;
  prompt: { name: string };
  params: Record<string, unknown>;
  grantId?: string;
  /** The person already signed in at this provider, if any (a sign-in asked with a prompt, or consent). */
  session?: { accountId?: string };
}

interface OidcProviderModule {
  default: new (issuer: string, setup: object) => OidcProvider;
  interactionPolicy: {
    base(): { add(prompt: unknown, index?: number): void };
    Prompt: new (options: { name: string; requestable: boolean }) => unknown;
  };
}

interface DevAccount {
  email: string;
  name: string;
}

const SCOPE = 'openid email profile';
/** The prompts answered by the sign-in page; any other (consent) by the consent page. */
const SIGN_IN_PROMPTS = new Set(['login', 'select_account']);
const SIGN_IN_TITLE = 'Sign in to Bookshelf (development)';
const logger = new Logger('DevIdentityProvider');

/** The `sub` for an email: stable across restarts, so books keep their owner. */
export function devSubject(email: string): string {
  return `dev-${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 24)}`;
}

/**
 * The email the sign-in page starts with: the client's `login_hint`, else that of the person still signed
 * in at this provider (the page shows with a session here when the client asked for `prompt=login` or
 * `prompt=select_account`, as Bookshelf does after a sign-out). Undefined: an empty field.
 */
export function emailToOffer(loginHint: unknown, signedInEmail: string | undefined): string | undefined {
  if (typeof loginHint === 'string' && loginHint.trim() !== '') return loginHint.trim();
  return signedInEmail;
}

/**
 * A real OpenID provider (oidc-provider) under `/dev-idp`, so sign-in works end to end on a laptop
 * through the very same Google strategy. Any email signs in. Never mounted in production or on an
 * origin other than loopback (`loadConfig` refuses AUTH_PROVIDER=dev there).
 */
export function createDevIdentityProvider(config: AppConfig): Router {
  if (config.production || !isLoopback(config.baseUrl)) {
    throw new Error('The development identity provider runs only outside production, on a loopback BASE_URL');
  }
  return createIdentityProvider({
    origin: config.baseUrl,
    client: { ...DEV_IDP_CLIENT, redirectUri: config.callbackUrl },
    proxy: config.trustProxy !== false,
  });
}

export interface IdentityProviderOptions {
  /** Where browsers reach the provider; it is served under `${origin}/dev-idp`. */
  origin: URL;
  /** The one client it knows: Bookshelf with its callback URL. */
  client: { clientId: string; clientSecret: string; redirectUri: string };
  /** Trust X-Forwarded-* headers. */
  proxy: boolean;
}

/**
 * The provider as an Express router to mount at `/dev-idp`. The app mounts it in development; the
 * benchmark also runs it alone, as a separate process acting as "Google" (see `standalone.ts`).
 * Its pages are rendered with the app's views (`dev-idp/login`, `dev-idp/consent`, `errors/error`).
 */
export function createIdentityProvider(options: IdentityProviderOptions): Router {
  return explainingLibraryWarnings(() => buildIdentityProvider(options));
}

/**
 * oidc-provider warns on stderr, while it loads and while it is built, that Node 20 is not its supported
 * runtime and that its in-memory storage and generated keys are for development only. All three are true
 * and expected here (a development provider that keeps nothing across restarts, on the Node 20 we support),
 * so they become one line that says so.
 */
function explainingLibraryWarnings<T>(build: () => T): T {
  const warn = console.warn;
  const silenced: string[] = [];
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    if (text.includes('oidc-provider WARNING:')) silenced.push(text);
    else warn(...args);
  };
  try {
    return build();
  } finally {
    console.warn = warn;
    if (silenced.length > 0) {
      logger.log(
        `oidc-provider printed ${silenced.length} development warning(s) (Node 20 not its preferred runtime, in-memory storage, ` +
          'generated keys): expected for the development sign-in, which keeps nothing across restarts',
      );
    }
  }
}

function buildIdentityProvider(options: IdentityProviderOptions): Router {
  const { default: Provider, interactionPolicy } = require('oidc-provider') as OidcProviderModule;
  const accounts = new Map<string, DevAccount>();
  const issuer = new URL(DEV_IDP_PATH, options.origin).toString();
  // oidc-provider knows only the `login` and `consent` prompts; `select_account` (OpenID Core, what Google
  // shows its account chooser for) is added first, with no checks of its own: it is shown only when asked.
  const policy = interactionPolicy.base();
  policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 0);

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.client.clientId,
        client_secret: options.client.clientSecret,
        redirect_uris: [options.client.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        // What passport-oauth2 sends.
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    // passport-google-oauth20 reads OpenID claims only from a URL ending in /userinfo,
    // and sends the access token as a query parameter.
    routes: { userinfo: '/userinfo' },
    acceptQueryParamAccessTokens: true,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'picture'] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 300, IdToken: 300, AuthorizationCode: 60 },
    interactions: { policy, url: (_ctx: unknown, interaction: { uid: string }) => `${DEV_IDP_PATH}/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: account.email,
          email_verified: true,
          name: account.name,
          // The app keeps only https pictures; on an http origin (the usual laptop) it shows its placeholder.
          picture: new URL(`${DEV_IDP_PATH}/avatar/${sub}.svg`, options.origin).toString(),
        }),
      };
    },
  });
  provider.proxy = options.proxy;

  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });

  router.get('/interaction/:uid', (req, res, next) => {
    provider
      .interactionDetails(req, res)
      .then((details) => {
        if (!SIGN_IN_PROMPTS.has(details.prompt.name)) {
          res.render('dev-idp/consent', { title: 'Allow Bookshelf? (development)', uid: details.uid, devIdp: DEV_IDP_PATH });
          return;
        }
        // `?another=1`: the page's "Use another account" link, which starts from empty fields.
        const signedIn = accounts.get(details.session?.accountId ?? '');
        const email = req.query.another === '1' ? undefined : emailToOffer(details.params.login_hint, signedIn?.email);
        res.render('dev-idp/login', { title: SIGN_IN_TITLE, uid: details.uid, devIdp: DEV_IDP_PATH, email, offered: email !== undefined });
      })
      .catch(next);
  });

  router.post('/interaction/:uid/login', form, (req, res, next) => {
    const email = String(req.body?.email ?? '').trim();
    const name = String(req.body?.name ?? '').trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 200 || name.length > 200) {
      res.status(422).render('dev-idp/login', {
        title: SIGN_IN_TITLE,
        uid: req.params.uid,
        devIdp: DEV_IDP_PATH,
        email,
        name,
        error: 'Enter an email address such as ada@example.com.',
      });
      return;
    }
    const sub = devSubject(email);
    // An empty name keeps the one this email signed in with before, so "sign in again" changes nothing.
    accounts.set(sub, { email, name: name || accounts.get(sub)?.name || email.split('@')[0] });
    // Choosing an account here also answers a `select_account` prompt (otherwise it would be asked again).
    // A different account than the one signed in here makes oidc-provider end that session first.
    const result = { login: { accountId: sub }, select_account: {} };
    provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false }).catch(next);
  });

  router.post('/interaction/:uid/consent', form, (req, res, next) => {
    (async () => {
      const details = await provider.interactionDetails(req, res);
      const accountId = details.session?.accountId;
      if (!accountId) throw new Error('consent without a signed-in account');
      const grant = new provider.Grant({ accountId, clientId: options.client.clientId });
      grant.addOIDCScope(SCOPE);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    })().catch(next);
  });

  router.get('/avatar/:sub.svg', (req, res) => {
    const hue = parseInt(createHash('sha256').update(req.params.sub).digest('hex').slice(0, 4), 16) % 360;
    res
      .type('image/svg+xml')
      .set('Cache-Control', 'public, max-age=86400')
      .send(
        `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` +
          `<circle cx="32" cy="32" r="32" fill="hsl(${hue},55%,50%)"/>` +
          `<circle cx="32" cy="25" r="11" fill="#fff"/><ellipse cx="32" cy="52" rx="19" ry="13" fill="#fff"/></svg>`,
      );
  });

  router.use(provider.callback());
  router.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    logger.warn(`Development sign-in failed: ${error.message}`);
    res.status(400).render('errors/error', {
      title: 'Sign-in error',
      status: 400,
      message: 'This sign-in attempt expired. Go back to Bookshelf and sign in again.',
    });
  });
  logger.log(`Development identity provider at ${issuer}: any email signs in. Never use it in production.`);
  return router;
}
