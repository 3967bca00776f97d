import { randomBytes } from 'node:crypto';
import { FILE_SETTINGS, readDotenv, resolveSecretFiles, TRAILING_COMMENT, withSqlPassword } from './env-sources';

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

/** A budget: at most `points` requests per `seconds`, per key (a client address or a user). */
export interface RateLimit {
  points: number;
  seconds: number;
}
export const RATE_LIMIT_BUCKETS = ['signIn', 'writes', 'uploads'] as const;
export type RateLimitBucket = (typeof RATE_LIMIT_BUCKETS)[number];
const RATE_LIMIT_SETTINGS: Record<RateLimitBucket, { name: string; fallback: RateLimit }> = {
  // Starting and finishing sign-in each, per client address. Generous enough for an office behind one NAT.
  signIn: { name: 'RATE_LIMIT_SIGN_IN', fallback: { points: 30, seconds: 60 } },
  // Adding, editing and deleting books, per signed-in person: far above what anyone types by hand.
  writes: { name: 'RATE_LIMIT_WRITES', fallback: { points: 60, seconds: 600 } },
  // Writes that carry a cover (each costs an image decode), per signed-in person.
  uploads: { name: 'RATE_LIMIT_UPLOADS', fallback: { points: 20, seconds: 600 } },
};

/** Timeouts of the HTTP server itself (Node's defaults suit no proxy in particular). */
export interface HttpTimeouts {
  /** Until a request's headers have arrived (slow-header clients). */
  headersMs: number;
  /** Until a whole request, body included, has arrived (stalled uploads). */
  requestMs: number;
  /** How long an idle keep-alive connection stays open; must exceed the proxy's own idle timeout. */
  keepAliveMs: number;
}

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
  /** null: rate limits are off (`RATE_LIMITS=off`, for test suites and benchmarks). */
  readonly rateLimits!: Record<RateLimitBucket, RateLimit> | null;
  readonly httpTimeouts!: HttpTimeouts;
  /** Origins allowed to call the JSON API from a browser (`API_CORS_ORIGINS`); empty: CORS is off. */
  readonly apiCorsOrigins!: string[];
  readonly logLevel!: string;
  readonly prettyLogs!: boolean;
  /**
   * Whether every log line written while serving a traced request carries its trace (LOG_TRACE_EVERY_LINE),
   * or only the request line and the warnings and errors logged with the request at hand.
   */
  readonly traceEveryLogLine!: boolean;
  /** Error Reporting's service and version: Cloud Run's K_SERVICE/K_REVISION or App Engine's GAE_SERVICE/GAE_VERSION. */
  readonly serviceContext!: { service: string; version?: string };
  /** OTEL_EXPORTER_OTLP_ENDPOINT: tracing with the OpenTelemetry SDK is on only when set. */
  readonly otlpEndpoint?: string;
  /** The `.env` file the settings were partly read from, if any (logged at start). */
  readonly dotenvFile?: string;

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

/** Every setting the app reads, for the trailing-comment check (section 5 of docs/architecture.md). */
const SETTING_NAMES = [
  'NODE_ENV',
  'PORT',
  'BASE_URL',
  'SESSION_SECRET',
  'DATA_BACKEND',
  'SQL_URL',
  'SQL_PASSWORD',
  'MONGODB_URL',
  'GOOGLE_CLOUD_PROJECT',
  'STORAGE_BACKEND',
  'UPLOAD_DIR',
  'CLOUD_STORAGE_BUCKET',
  'COVER_URLS',
  'STORAGE_API_ENDPOINT',
  'SESSION_STORE',
  'REDIS_URL',
  'AUTH_PROVIDER',
  'GOOGLE_OAUTH2_CLIENT_ID',
  'GOOGLE_OAUTH2_CLIENT_SECRET',
  'GOOGLE_OAUTH2_AUTH_URL',
  'GOOGLE_OAUTH2_TOKEN_URL',
  'GOOGLE_OAUTH2_USERINFO_URL',
  'TRUST_PROXY',
  'RATE_LIMITS',
  'RATE_LIMIT_SIGN_IN',
  'RATE_LIMIT_WRITES',
  'RATE_LIMIT_UPLOADS',
  'API_CORS_ORIGINS',
  'HTTP_HEADERS_TIMEOUT',
  'HTTP_REQUEST_TIMEOUT',
  'HTTP_KEEP_ALIVE_TIMEOUT',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'LOG_TRACE_EVERY_LINE',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  ...FILE_SETTINGS.map((name) => `${name}_FILE`),
];
const SECRET_NAMES = new Set(['SESSION_SECRET', 'GOOGLE_OAUTH2_CLIENT_SECRET', 'SQL_URL', 'SQL_PASSWORD', 'REDIS_URL', 'MONGODB_URL']);

export interface LoadConfigOptions {
  /**
   * A `.env` file to read (variables already set win), outside production only. Default: `.env` in the
   * working folder when reading `process.env`, none when `env` is given (tests).
   */
  dotenvFile?: string | false;
}

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

/** localhost, 127.0.0.0/8 or [::1]: an origin only this machine can reach. */
export function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(url.hostname);
}

/** app.yaml's placeholders, and the markers people put in example values. */
const PLACEHOLDER = /replace|change.?me|example|placeholder|your.?(client|secret)/i;

/**
 * Why a production secret is unfit, or null. Besides length and placeholders this refuses the
 * low-variety strings people type to get past a length check (32 × `k`, `secret-xxxxxxxx...`): few
 * distinct characters, or a pattern of 1 to 4 characters repeated over 10 or more. A random hex or
 * base64 secret trips the repetition rule about once in 10^8.
 */
export function weakSecretReason(secret: string): string | null {
  if (secret.length < 32) return 'is shorter than 32 characters';
  if (PLACEHOLDER.test(secret)) return "is a placeholder (for example app.yaml's REPLACE_WITH_...)";
  if (new Set(secret).size < 10) return 'has fewer than 10 different characters';
  if (/(.)\1{9}|(.{2})\2{4}|(.{3})\3{3}|(.{4})\4{2}/s.test(secret)) return 'repeats a short pattern';
  return null;
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
export function loadConfig(given: Env = process.env, options: LoadConfigOptions = {}): AppConfig {
  const problems: string[] = [];
  // .env is a developer's convenience: in production the platform's settings and secret files are the
  // only source, so that a stray file (in an image, on a VM) never changes what production runs with.
  const dotenvPath = options.dotenvFile ?? (given === process.env ? '.env' : false);
  let dotenv: Env = {};
  if (dotenvPath && given.NODE_ENV !== 'production') {
    dotenv = readDotenv(dotenvPath, problems);
    if (dotenv.NODE_ENV === 'production') {
      problems.push(
        `${dotenvPath} sets NODE_ENV=production: .env is read outside production only; set production settings in the environment`,
      );
    }
  }
  const dotenvFile = dotenvPath && Object.keys(dotenv).length > 0 ? dotenvPath : undefined;
  const merged: Env = { ...dotenv, ...given };
  for (const name of SETTING_NAMES) {
    if (!TRAILING_COMMENT.test(merged[name] ?? '')) continue;
    const shown = SECRET_NAMES.has(name) ? '' : ` (got "${merged[name]}")`;
    problems.push(
      `${name} carries a trailing comment${shown}: docker run --env-file and env $(cat .env) keep "# ..." as part of ` +
        'the value; remove the comment (the app reads .env itself, comments included)',
    );
    merged[name] = undefined;
  }
  const env = resolveSecretFiles(merged, problems);
  // Unset means development (the README's quick start sets nothing). Anything else but these three
  // exact words is refused: `Production` or `prod` used to skip every production rule silently. Meanwhile
  // the other settings are checked as for production, so that one start lists every problem.
  const nodeEnv = env.NODE_ENV || 'development';
  if (!['production', 'development', 'test'].includes(nodeEnv)) {
    problems.push(
      `NODE_ENV must be exactly production, development or test, or unset (got "${env.NODE_ENV}"); ` +
        'the other settings were checked as for production',
    );
  }
  const production = nodeEnv !== 'development' && nodeEnv !== 'test';

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
  if (production && baseUrl.protocol === 'http:' && !isLoopback(baseUrl)) {
    problems.push(
      `BASE_URL must be https in production, unless it is a loopback origin such as http://localhost (got "${baseUrl.origin}")`,
    );
  }

  let sessionSecrets = (env.SESSION_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (production && sessionSecrets.length === 0) {
    problems.push('SESSION_SECRET is required in production: at least 32 random characters (e.g. openssl rand -hex 32)');
  }
  // Every entry verifies cookies and page tokens, so a weak old one is as good as a weak first one.
  sessionSecrets.forEach((secret, index) => {
    const reason = production && weakSecretReason(secret);
    if (reason) {
      const which = sessionSecrets.length > 1 ? `entry ${index + 1} of ${sessionSecrets.length}` : 'value';
      problems.push(`SESSION_SECRET ${which} ${reason}; use at least 32 random characters (e.g. openssl rand -hex 32)`);
    }
  });
  if (sessionSecrets.length === 0) sessionSecrets = [randomBytes(32).toString('hex')];

  const dataBackend = oneOf(env, 'DATA_BACKEND', DATA_BACKENDS, 'sql', problems, { cloudsql: 'sql' });
  const sqlUrl = withSqlPassword(env.SQL_URL?.trim() || 'sqlite:./data/bookshelf.sqlite', env.SQL_PASSWORD, problems);
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
    // Any email signs in there, so it must not be reachable from elsewhere, whatever NODE_ENV says.
    if (production) {
      problems.push('AUTH_PROVIDER=dev (the development identity provider) can never run in production');
    } else if (!isLoopback(baseUrl)) {
      problems.push(
        `The development identity provider (AUTH_PROVIDER=dev, the default without GOOGLE_OAUTH2_CLIENT_ID) runs only ` +
          `on a loopback BASE_URL such as http://localhost:${port} (got "${baseUrl.origin}"); set a Google client instead`,
      );
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
    for (const [name, value] of [
      ['GOOGLE_OAUTH2_CLIENT_ID', clientId],
      ['GOOGLE_OAUTH2_CLIENT_SECRET', clientSecret],
    ]) {
      if (production && PLACEHOLDER.test(value)) problems.push(`${name} is still a placeholder (app.yaml's REPLACE...)`);
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

  const rateLimitsOn = oneOf(env, 'RATE_LIMITS', ['on', 'off'] as const, 'on', problems) === 'on';
  const rateLimits = {} as Record<RateLimitBucket, RateLimit>;
  for (const bucket of RATE_LIMIT_BUCKETS) {
    const { name, fallback } = RATE_LIMIT_SETTINGS[bucket];
    rateLimits[bucket] = fallback;
    const raw = env[name]?.trim();
    if (!raw) continue;
    const match = /^(\d{1,6})\/(\d{1,6})$/.exec(raw);
    if (match && Number(match[1]) > 0 && Number(match[2]) > 0) {
      rateLimits[bucket] = { points: Number(match[1]), seconds: Number(match[2]) };
    } else {
      problems.push(`${name} must be REQUESTS/SECONDS with both above zero, e.g. 30/60 (got "${raw}")`);
    }
  }

  const seconds = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback * 1000;
    const value = Number(raw);
    if (Number.isFinite(value) && value >= min && value <= max) return Math.round(value * 1000);
    problems.push(`${name} must be a number of seconds from ${min} to ${max} (got "${raw}")`);
    return fallback * 1000;
  };
  // Google's load balancers (Cloud Run, App Engine flexible, external Application Load Balancer) keep
  // idle connections to a backend for up to 600 s and expect the backend to keep them longer; behind no
  // proxy a short idle time frees sockets sooner.
  const httpTimeouts: HttpTimeouts = {
    headersMs: seconds('HTTP_HEADERS_TIMEOUT', 20, 1, 600),
    requestMs: seconds('HTTP_REQUEST_TIMEOUT', 60, 1, 3600),
    keepAliveMs: seconds('HTTP_KEEP_ALIVE_TIMEOUT', trustProxy === false ? 5 : 620, 1, 3600),
  };

  const apiCorsOrigins: string[] = [];
  for (const entry of (env.API_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)) {
    let origin: string | null = null;
    try {
      const url = new URL(entry);
      if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin === entry.replace(/\/$/, '')) origin = url.origin;
    } catch {
      // refused below
    }
    if (origin) apiCorsOrigins.push(origin);
    else problems.push(`API_CORS_ORIGINS must be a comma-separated list of http(s) origins without a path (got "${entry}")`);
  }

  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`);
  }

  const traceEveryLine = oneOf(env, 'LOG_TRACE_EVERY_LINE', ['auto', 'on', 'off'] as const, 'auto', problems);
  const otlpEndpoint = absoluteUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', problems);
  // Cloud Run sets K_SERVICE and K_REVISION, App Engine GAE_SERVICE and GAE_VERSION.
  const serviceContext = {
    service: env.K_SERVICE?.trim() || env.GAE_SERVICE?.trim() || 'bookshelf',
    version: env.K_REVISION?.trim() || env.GAE_VERSION?.trim() || undefined,
  };

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
    rateLimits: rateLimitsOn ? rateLimits : null,
    httpTimeouts,
    apiCorsOrigins,
    logLevel,
    prettyLogs: !production && env.LOG_FORMAT !== 'json',
    traceEveryLogLine:
      traceEveryLine === 'auto'
        ? asyncContextIsCheap(process.versions.node, [...process.execArgv, env.NODE_OPTIONS ?? ''])
        : traceEveryLine === 'on',
    serviceContext,
    otlpEndpoint,
    dotenvFile,
  });
}

/**
 * Whether AsyncLocalStorage is built on AsyncContextFrame here (Node 24 and later, or Node 22 with
 * --experimental-async-context-frame), where binding each request's context costs nothing measurable.
 * Before that it hooks every promise: 10-25 % of a page's CPU on Node 20 in `npm run bench`.
 */
export function asyncContextIsCheap(nodeVersion: string, flags: readonly string[]): boolean {
  const given = flags.join(' ');
  if (/--no-async-context-frame\b/.test(given)) return false;
  return Number(nodeVersion.split('.')[0]) >= 24 || /--experimental-async-context-frame\b/.test(given);
}
