import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session, { Store } from 'express-session';
import hbs from 'hbs';
import helmet from 'helmet';
import multer from 'multer';
import passport from 'passport';
import { apiMiddleware } from './api/api-http';
import { serveApiDocs } from './api/openapi';
import { createDevIdentityProvider } from './auth/dev-idp/dev-identity-provider';
import { sessionPassport } from './auth/session-passport';
import { BookPagesCache } from './books/book-pages-cache';
import { compactTemplates } from './common/compact-templates';
import { csrf } from './common/csrf';
import { BackendUnavailable, RequestTooLarge } from './common/domain-errors';
import { renderErrorPage } from './common/error-page';
import { inOrder } from './common/in-order';
import { isApiPath, isSafeMethod, refuseAnonymousWrites, refuseCrossSite, refuseOddTargets } from './common/request-checks';
import { bookshelfAssetSources, serveStaticAssets } from './common/static-assets';
import { AppConfig, DEV_IDP_PATH } from './config/app-config';
import { RequestLogger } from './logging/logging.module';
import { sessionCookie } from './sessions/session-cookie';
import { limitSessionLifetime } from './sessions/session-limits.middleware';
import { traceFieldsOf } from './common/cloud-logging';
import { flashView, forgetFailedFormUnlessAt, NOTICES, redirectToFailedForm } from './common/page-messages';

const ROOT = join(__dirname, '..');
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

const logger = new Logger('Requests');
const SESSIONLESS = /^\/(covers\/|healthz$|readyz$)/;
const SIGN_IN_PATHS = /^\/oauth2(authorize|callback)$/;
/** The navigation's entry marked as the current page (`aria-current`), by path. */
const SECTIONS: Record<string, { books?: true; mine?: true; account?: true }> = {
  '/books': { books: true },
  '/books/mine': { mine: true },
  '/account': { account: true },
};

/**
 * Everything around the routes, in the order requests meet it. Shared by main.ts and the tests,
 * so that tests run what users run.
 */
export async function configureApp(app: NestExpressApplication): Promise<void> {
  const config = app.get(AppConfig);
  const store = app.get(Store);
  const cookie = sessionCookie(config);
  configureHttpServer(app, config);

  app.disable('x-powered-by');
  // Pages are rendered per request (and signed-in ones are no-store): hashing every body for an ETag costs
  // more than the rare 304 saves. Static files keep their own ETags.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  // First, so that every response is logged and timed, even those answered by middleware.
  app.use(inOrder(app.get(RequestLogger).middleware as RequestHandler, refuseOddTargets, securityHeaders(config)));

  // Versioned, compressed and kept in memory (`{{asset "app.css"}}` in views); plain URLs still work.
  const assets = await serveStaticAssets(app, bookshelfAssetSources(ROOT));
  if (!config.production) {
    assets.watch();
    app.getHttpServer().once('close', () => assets.close());
  }

  // The development provider parses its own bodies and has its own CSRF protection: mount it first.
  if (config.authProvider === 'dev') app.use(DEV_IDP_PATH, createDevIdentityProvider(config));

  // The JSON API (bearer tokens, never the session cookie): its document and reference page, then CORS and
  // its own body parsing with limits. It skips the cross-site check and everything stateful below.
  serveApiDocs(app);
  app.use('/api', apiMiddleware(config));

  // The session and who is signed in, the session's lifetime, then (only for people signed in) forms,
  // with limits; multipart in memory, so that the CSRF guard can read `_csrf` before the cover is written.
  const stateful = inOrder(
    guarded(
      session({
        name: cookie.name,
        secret: config.sessionSecrets,
        store,
        resave: false,
        saveUninitialized: false,
        rolling: true,
        cookie: cookie.options,
      }),
    ),
    // Who is signed in: what `passport.session()` does, without its per-request strategy object. No
    // passport.initialize(): it only repeated that, plus a `req._passport` for 0.4 strategies.
    guarded(sessionPassport(passport, (app.getHttpAdapter().getInstance() as express.Express).request)),
    guarded(limitSessionLifetime),
    refuseAnonymousWrites,
    formsOfWrites(),
  );
  // None of it for covers and probes, which are the same for everyone (no session read, no cookie on a
  // cacheable image), nor for anonymous reads: a GET without our cookie has no body and no session to load
  // (only the start and end of sign-in need a fresh session), and may be a list or book page already rendered.
  const keptPages = app.get(BookPagesCache);
  const keptForAnonymous = guarded(keptPages.anonymous);
  const dispatch = (req: Request, res: Response, next: NextFunction): void => {
    if (isApiPath(req.path)) return next();
    if (anonymousRead(req, cookie.name)) return void keptForAnonymous(req, res, next);
    if (SESSIONLESS.test(req.path)) return next();
    void stateful(req, res, next);
  };
  // Posts from other sites are refused before anything else is done for them (API paths excepted); then the
  // three paths above; then what every page's layout needs, and the signed-in list, My Books and book pages,
  // once the session has been read and checked: kept with marks where the viewer's name, picture and CSRF
  // token go, filled in per request.
  app.use(inOrder(refuseCrossSite(config.baseUrl.origin), dispatch, pageLocals, guarded(keptPages.signedIn)));

  compactTemplates(hbs.handlebars);
  app.setBaseViewsDir(join(ROOT, 'views'));
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
  if (config.production) app.enable('view cache');
  await registerPartials(join(ROOT, 'views/partials'));
}

/**
 * The HTTP server's own timeouts (Node's defaults wait 60 s for headers and 5 min for a request): slow-header
 * and stalled-body clients are cut off, and idle keep-alive connections outlive the proxy's (see
 * `HttpTimeouts`). Node checks the first two every `connectionsCheckingInterval`, read when it starts listening.
 */
function configureHttpServer(app: NestExpressApplication, config: AppConfig): void {
  // `connectionsCheckingInterval` is a `createServer` option that @types/node does not list as a property;
  // Nest creates the server, so it is set here, before `listen` reads it.
  const server = app.getHttpServer() as import('node:http').Server & { connectionsCheckingInterval: number };
  const { headersMs, requestMs, keepAliveMs } = config.httpTimeouts;
  server.headersTimeout = headersMs;
  server.requestTimeout = requestMs;
  server.keepAliveTimeout = keepAliveMs;
  server.connectionsCheckingInterval = Math.min(2000, headersMs, requestMs);
}

/**
 * helmet's headers for this configuration, worked out once at start-up and set as they are on every response.
 * None of them depends on the request: running helmet's twelve middleware functions on every request was
 * work for nothing.
 */
function securityHeaders(config: AppConfig): RequestHandler {
  const headers = headersSetBy(helmetFor(config));
  return (_req, res, next) => {
    for (const [name, value] of headers) {
      if (value === undefined) res.removeHeader(name);
      else res.setHeader(name, value);
    }
    next();
  };
}

/** What a middleware that depends on nothing in the request does to a response's headers, in order. */
function headersSetBy(middleware: RequestHandler): [name: string, value?: string][] {
  const changes: [string, string?][] = [];
  let passed = false;
  const res = {
    setHeader: (name: string, value: string) => void changes.push([name, value]),
    removeHeader: (name: string) => void changes.push([name]),
  };
  middleware({} as Request, res as unknown as Response, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error(String(error));
    passed = true;
  });
  if (!passed) throw new Error('The security headers middleware did not finish synchronously');
  return changes;
}

function helmetFor(config: AppConfig): RequestHandler {
  // blob: lets the form preview a chosen cover before upload.
  const images = ["'self'", 'data:', 'blob:', 'https://lh3.googleusercontent.com'];
  if (config.coverOrigin) images.push(config.coverOrigin);
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': images,
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        ...(config.secureCookies ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    strictTransportSecurity: config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
    // helmet's default, no-referrer, makes browsers send `Origin: null` with our own form posts, which the
    // cross-site check must refuse; same-origin still sends nothing to other sites.
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
}

/**
 * The form parsers, urlencoded and multipart (one cover, in memory), with limits; for state-changing requests
 * only. A GET, HEAD or OPTIONS is answered without reading a form (no handler of one reads `req.body`), so
 * reads skip the parsers' work (multer's costs an async resource on every request); a body sent with one is
 * discarded unread, as one of any other type always was.
 */
function formsOfWrites(): RequestHandler {
  const forms = inOrder(
    guarded(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 20 })),
    guarded(
      multer({
        storage: multer.memoryStorage(),
        limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 21 },
      }).single('image'),
    ),
  );
  return (req, res, next) => (isSafeMethod(req.method) ? next() : void forms(req, res, next));
}

/**
 * Runs Express middleware and answers its failures with our error pages: limits become 413,
 * an unreachable session store 503, anything else from a parser 400.
 */
function guarded(middleware: RequestHandler): RequestHandler {
  return (req, res, next) => {
    middleware(req, res, (error?: unknown) => {
      if (!error) return next();
      // express-session reports a failed save or touch after the response is sent: nothing left to answer.
      if (res.headersSent) return void logger.warn({ message: `After ${req.method} ${req.path}: ${String(error)}`, ...traceFieldsOf(req) });
      const e = error as { type?: string; code?: string; name?: string; status?: number; message?: string };
      if (e.code === 'LIMIT_FILE_SIZE' && req.user) return uploadTooLarge(req, res);
      // The navigation shows who is signed in on these pages too, when the session was read.
      if (req.session) setPageLocals(req, res);
      if (e.type === 'entity.too.large' || e.status === 413 || (e.name === 'MulterError' && e.code !== 'LIMIT_UNEXPECTED_FILE')) {
        return renderErrorPage(res, 413, new RequestTooLarge().message);
      }
      if (e.status && e.status >= 400 && e.status < 500) {
        return renderErrorPage(res, 400, 'The form could not be read. Please try again.');
      }
      if (e.name === 'MulterError' || /form|multipart|boundary/i.test(e.message ?? '')) {
        return renderErrorPage(res, 400, 'The form could not be read. Please try again.');
      }
      renderErrorPage(res, 503, new BackendUnavailable().message);
    });
  };
}

function anonymousRead(req: Request, cookieName: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.headers.cookie?.includes(`${cookieName}=`)) return false;
  return !SIGN_IN_PATHS.test(req.path);
}

/**
 * A cover over the limit, from a browser that sent it without our script's check: back to the form it was
 * sent from (forms post to their own URL), with what was typed so far (multer has read the fields before
 * the file) and a message at the cover. The form's page reads them with the form's own rules.
 */
function uploadTooLarge(req: Request, res: Response): void {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const values = Object.fromEntries(Object.entries(body).filter(([name, value]) => name !== '_csrf' && typeof value === 'string'));
  redirectToFailedForm(req.session, res, { path: req.path, status: 413, values, errors: { image: new RequestTooLarge().message } });
}

/** What every page's layout needs. */
function pageLocals(req: Request, res: Response, next: NextFunction): void {
  setPageLocals(req, res);
  next();
}

/** Tokens are made only for signed-in people: nobody else can post. */
function setPageLocals(req: Request, res: Response): void {
  res.locals.section = SECTIONS[req.path];
  res.locals.loginUrl = `/oauth2authorize?return_url=${encodeURIComponent(withoutNotice(req.originalUrl))}`;
  if (req.user) {
    res.set('Cache-Control', 'no-store');
    res.locals.user = req.user;
    res.locals.csrfToken = csrf.generateToken(req);
  }
  if (req.session?.flash) {
    res.locals.flash = flashView(req.session.flash);
    delete req.session.flash;
  } else if (typeof req.query.notice === 'string' && Object.hasOwn(NOTICES, req.query.notice)) {
    res.locals.flash = flashView(NOTICES[req.query.notice]);
  }
  forgetFailedFormUnlessAt(req.session, req.path);
}

/** A page's address without its `?notice=`: signing in from it must not bring back "You have signed out.". */
function withoutNotice(url: string): string {
  if (!url.includes('notice=')) return url;
  const parsed = new URL(url, 'http://path.invalid');
  parsed.searchParams.delete('notice');
  return parsed.pathname + parsed.search;
}

function registerPartials(dir: string): Promise<void> {
  return new Promise((resolve, reject) => hbs.registerPartials(dir, (error?: unknown) => (error ? reject(error) : resolve())));
}
