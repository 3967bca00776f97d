import { randomBytes } from 'node:crypto';

export const DATA_BACKENDS = ['sql', 'mongodb', 'datastore'] as const;
export type DataBackend = (typeof DATA_BACKENDS)[number];
export const STORAGE_BACKENDS = ['local', 'gcs'] as const;
export type StorageBackend = (typeof STORAGE_BACKENDS)[number];
export const SESSION_STORES = ['auto', 'redis'] as const;
export type SessionStoreKind = (typeof SESSION_STORES)[number];
export const AUTH_PROVIDERS = ['google', 'dev'] as const;
export type AuthProvider = (typeof AUTH_PROVIDERS)[number];
export const COVER_URL_MODES = ['public', 'signed'] as const;
export type CoverUrlMode = (typeof COVER_URL_MODES)[number];

export interface OAuthEndpoints {
  authorizationURL: string;
  tokenURL: string;
  userProfileURL: string;
}

const GOOGLE_ENDPOINTS: OAuthEndpoints = {
  authorizationURL: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenURL: 'https://www.googleapis.com/oauth2/v4/token',
  userProfileURL: 'https://www.googleapis.com/oauth2/v3/userinfo',
};

/** The development identity provider's client: it is registered with these values in dev-idp. */
export const DEV_IDP_CLIENT = { clientId: 'bookshelf-dev', clientSecret: 'bookshelf-dev-secret-not-for-production' };
export const DEV_IDP_PATH = '/dev-idp';

/**
 * The validated configuration. Built once by `loadConfig` (the only reader of `process.env`)
 * and provided to every module under this class as the DI token.
 */
export class AppConfig {
  readonly production!: boolean;
  readonly port!: number;
  readonly baseUrl!: URL;
  /** First signs, every one verifies (rotation). */
  readonly sessionSecrets!: string[];
  readonly dataBackend!: DataBackend;
  readonly sqlUrl!: string;
  readonly mongodbUrl?: string;
  readonly googleCloudProject?: string;
  readonly storageBackend!: StorageBackend;
  readonly uploadDir!: string;
  readonly cloudStorageBucket?: string;
  readonly coverUrls!: CoverUrlMode;
  /** Only for emulators; unset in production means the Google endpoint. */
  readonly storageApiEndpoint?: string;
  readonly sessionStore!: SessionStoreKind;
  readonly redisUrl?: string;
  readonly authProvider!: AuthProvider;
  readonly oauthClientId!: string;
  readonly oauthClientSecret!: string;
  /** Where the browser is sent, and where the server exchanges the code and reads the profile. */
  readonly oauthEndpoints!: OAuthEndpoints;
  readonly trustProxy!: number | false;
  readonly logLevel!: string;
  readonly prettyLogs!: boolean;

  get secureCookies(): boolean {
    return this.baseUrl.protocol === 'https:';
  }

  get callbackUrl(): string {
    return new URL('/oauth2callback', this.baseUrl).toString();
  }

  /** The storage origin that serves covers in the browser, for the CSP (null: our own origin). */
  get coverOrigin(): string | null {
    if (this.storageBackend !== 'gcs') return null;
    return new URL(this.storageApiEndpoint ?? 'https://storage.googleapis.com').origin;
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function oneOf<T extends string>(
  env: Env,
  name: string,
  allowed: readonly T[],
  fallback: T,
  problems: string[],
  aliases: Record<string, T> = {},
): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = aliases[raw] ?? raw;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
  return fallback;
}

function absoluteUrl(env: Env, name: string, problems: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    return url.toString();
  } catch {
    problems.push(`${name} must be an absolute http(s) URL (got "${raw}")`);
    return undefined;
  }
}

/**
 * Reads and validates every setting. Throws one ConfigError that lists every problem,
 * so an operator fixes them all in one go.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';

  let port = 8080;
  if (env.PORT?.trim()) {
    port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      problems.push(`PORT must be a port number (got "${env.PORT}")`);
      port = 8080;
    }
  }

  let baseUrl = new URL(`http://localhost:${port}`);
  if (env.BASE_URL?.trim()) {
    const parsed = absoluteUrl(env, 'BASE_URL', problems);
    if (parsed) {
      const url = new URL(parsed);
      if (url.pathname !== '/' || url.search || url.hash) {
        problems.push(`BASE_URL must be an origin without a path, query or fragment (got "${env.BASE_URL}")`);
      }
      baseUrl = new URL(url.origin);
    }
  } else if (production) {
    problems.push('BASE_URL is required in production (the public origin, e.g. https://bookshelf.example.com)');
  }

  let sessionSecrets = (env.SESSION_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (production && (sessionSecrets.length === 0 || sessionSecrets[0].length < 32)) {
    problems.push('SESSION_SECRET is required in production and must be at least 32 characters');
  }
  if (sessionSecrets.length === 0) sessionSecrets = [randomBytes(32).toString('hex')];

  const dataBackend = oneOf(env, 'DATA_BACKEND', DATA_BACKENDS, 'sql', problems, { cloudsql: 'sql' });
  const sqlUrl = env.SQL_URL?.trim() || 'sqlite:./data/bookshelf.sqlite';
  if (dataBackend === 'sql' && !/^(sqlite:|postgres(ql)?:\/\/|mysql:\/\/)/.test(sqlUrl)) {
    problems.push(`SQL_URL must start with sqlite:, postgres:// or mysql:// (got "${sqlUrl}")`);
  }
  const mongodbUrl = env.MONGODB_URL?.trim() || undefined;
  if (dataBackend === 'mongodb') {
    if (!mongodbUrl) problems.push('MONGODB_URL is required when DATA_BACKEND=mongodb');
    else if (!/^mongodb(\+srv)?:\/\/[^/]+\/[^/?]+/.test(mongodbUrl)) {
      problems.push('MONGODB_URL must name the database in its path (mongodb://host/DATABASE)');
    }
  }
  const googleCloudProject = env.GOOGLE_CLOUD_PROJECT?.trim() || undefined;
  if (dataBackend === 'datastore' && !googleCloudProject) {
    problems.push('GOOGLE_CLOUD_PROJECT is required when DATA_BACKEND=datastore');
  }

  const storageBackend = oneOf(env, 'STORAGE_BACKEND', STORAGE_BACKENDS, 'local', problems);
  const uploadDir = env.UPLOAD_DIR?.trim() || './data/uploads';
  const cloudStorageBucket = env.CLOUD_STORAGE_BUCKET?.trim() || undefined;
  if (storageBackend === 'gcs') {
    if (!cloudStorageBucket) problems.push('CLOUD_STORAGE_BUCKET is required when STORAGE_BACKEND=gcs');
    if (!googleCloudProject) problems.push('GOOGLE_CLOUD_PROJECT is required when STORAGE_BACKEND=gcs');
  }
  const coverUrls = oneOf(env, 'COVER_URLS', COVER_URL_MODES, 'public', problems);
  const storageApiEndpoint = absoluteUrl(env, 'STORAGE_API_ENDPOINT', problems);

  const sessionStore = oneOf(env, 'SESSION_STORE', SESSION_STORES, 'auto', problems);
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (sessionStore === 'redis' && !redisUrl) problems.push('REDIS_URL is required when SESSION_STORE=redis');

  const clientId = env.GOOGLE_OAUTH2_CLIENT_ID?.trim() || '';
  const clientSecret = env.GOOGLE_OAUTH2_CLIENT_SECRET?.trim() || '';
  const defaultProvider: AuthProvider = !production && !clientId ? 'dev' : 'google';
  const authProvider = oneOf(env, 'AUTH_PROVIDER', AUTH_PROVIDERS, defaultProvider, problems);
  const overrides = {
    authorizationURL: absoluteUrl(env, 'GOOGLE_OAUTH2_AUTH_URL', problems),
    tokenURL: absoluteUrl(env, 'GOOGLE_OAUTH2_TOKEN_URL', problems),
    userProfileURL: absoluteUrl(env, 'GOOGLE_OAUTH2_USERINFO_URL', problems),
  };
  let oauthEndpoints: OAuthEndpoints;
  let oauthClientId = clientId;
  let oauthClientSecret = clientSecret;
  if (authProvider === 'dev') {
    if (production) {
      problems.push('AUTH_PROVIDER=dev (the development identity provider) can never run in production');
    }
    // The browser goes through BASE_URL; the server talks to its own port on loopback.
    const local = `http://127.0.0.1:${port}${DEV_IDP_PATH}`;
    oauthEndpoints = {
      authorizationURL: new URL(`${DEV_IDP_PATH}/auth`, baseUrl).toString(),
      tokenURL: `${local}/token`,
      userProfileURL: `${local}/userinfo`,
    };
    oauthClientId = DEV_IDP_CLIENT.clientId;
    oauthClientSecret = DEV_IDP_CLIENT.clientSecret;
  } else {
    if (!clientId || !clientSecret) {
      problems.push('GOOGLE_OAUTH2_CLIENT_ID and GOOGLE_OAUTH2_CLIENT_SECRET are required for Google sign-in');
    }
    oauthEndpoints = {
      authorizationURL: overrides.authorizationURL ?? GOOGLE_ENDPOINTS.authorizationURL,
      tokenURL: overrides.tokenURL ?? GOOGLE_ENDPOINTS.tokenURL,
      userProfileURL: overrides.userProfileURL ?? GOOGLE_ENDPOINTS.userProfileURL,
    };
  }

  let trustProxy: number | false = false;
  const rawTrust = env.TRUST_PROXY?.trim();
  if (rawTrust && !['0', 'false', 'off', 'no'].includes(rawTrust.toLowerCase())) {
    const hops = Number(rawTrust);
    if (Number.isInteger(hops) && hops > 0) trustProxy = hops;
    else if (['true', 'on', 'yes'].includes(rawTrust.toLowerCase())) trustProxy = 1;
    else problems.push(`TRUST_PROXY must be a number of proxy hops (got "${rawTrust}")`);
  }
  if (production && baseUrl.protocol === 'https:' && trustProxy === false) {
    problems.push(
      'TRUST_PROXY is required with an https BASE_URL in production (set the number of proxy hops, App Engine: 1); ' +
        'without it the secure session cookie would never be set behind the proxy',
    );
  }

  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`);
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return Object.assign(Object.create(AppConfig.prototype) as AppConfig, {
    production,
    port,
    baseUrl,
    sessionSecrets,
    dataBackend,
    sqlUrl,
    mongodbUrl,
    googleCloudProject,
    storageBackend,
    uploadDir,
    cloudStorageBucket,
    coverUrls,
    storageApiEndpoint,
    sessionStore,
    redisUrl,
    authProvider,
    oauthClientId,
    oauthClientSecret,
    oauthEndpoints,
    trustProxy,
    logLevel,
    prettyLogs: !production && env.LOG_FORMAT !== 'json',
  });
}
