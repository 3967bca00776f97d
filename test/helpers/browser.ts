/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import axe from 'axe-core';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Locator, type Page } from 'playwright-core';
import { SESSION_COOKIE } from '../../src/sessions/session-cookie';
import { type RunningApp, startApp } from './app-process';
import { coverPng } from './images';
import { describeWhen } from './skip-or-fail';
import { WebClient } from './web-client';

/** Debian's Chromium (`apt-get install chromium`); `CHROMIUM_PATH` points elsewhere on other machines. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Our machines reach only loopback: without the resolver rule Chromium looks up Google hosts at every
 * start. `chromium.launch` adds a fresh temporary `--user-data-dir` itself and removes it on close.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
];

const ROOT = resolve(__dirname, '../..');
/** Per-run screenshots (git-ignored). */
export const SCREENSHOT_DIR = join(ROOT, 'test-output/browser-screenshots');
/** The README's screenshots, rewritten only with UPDATE_SCREENSHOTS=1. */
export const README_SCREENSHOT_DIR = join(ROOT, 'docs/screenshots');
export const UPDATE_README_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

/** Short waits: a server-rendered page that is not there in 5 s is a failure, not slowness. */
const ACTION_TIMEOUT_MS = 5_000;

/**
 * `describe` for suites that drive Chromium. Without it the suite is skipped, saying why, on a developer
 * machine and fails in CI (`CI=true`), where `.ci/run` installs it: through `describeWhen`.
 */
export function describeInBrowser(name: string, suite: () => void): void {
  const missing = existsSync(CHROMIUM_PATH)
    ? null
    : `Chromium is not installed at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`;
  describeWhen(missing)(name, suite);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** The app as `npm start` runs it (compiled, its own process, default configuration), plus a browser. */
export interface BrowserRig {
  app: RunningApp;
  browser: Browser;
  stop(): Promise<void>;
}

export async function startBrowserRig(): Promise<BrowserRig> {
  const [app, browser] = await Promise.allSettled([startApp(), launchBrowser()]);
  if (app.status === 'rejected' || browser.status === 'rejected') {
    if (app.status === 'fulfilled') await app.value.stop();
    if (browser.status === 'fulfilled') await browser.value.close();
    throw app.status === 'rejected' ? app.reason : (browser as PromiseRejectedResult).reason;
  }
  return {
    app: app.value,
    browser: browser.value,
    stop: async () => {
      await browser.value.close();
      await app.value.stop();
    },
  };
}

/**
 * Everything that went wrong in a context's pages that the page itself would not show: console
 * errors, uncaught exceptions, CSP violations (reported by the `securitypolicyviolation` event) and
 * failed requests. A test that visits an error page on purpose says so with `expectErrorStatus`,
 * since Chromium logs every non-2xx document as a console error.
 */
export class BrowserProblems {
  private readonly found: string[] = [];
  private readonly expectedStatuses: { path: string; status: number }[] = [];

  add(problem: string): void {
    this.found.push(problem);
  }

  /** The next document at `path` answers `status` on purpose; its console error is not a problem. */
  expectErrorStatus(path: string, status: number): void {
    this.expectedStatuses.push({ path, status });
  }

  consoleError(text: string, url: string | undefined): void {
    const status = /the server responded with a status of (\d+)/.exec(text)?.[1];
    if (status && url) {
      const path = new URL(url).pathname;
      const index = this.expectedStatuses.findIndex((e) => e.path === path && e.status === Number(status));
      if (index >= 0) {
        this.expectedStatuses.splice(index, 1);
        return;
      }
    }
    this.add(`console error: ${text}${url ? ` (at ${url})` : ''}`);
  }

  list(): string[] {
    return [...this.found];
  }

  /** Returns the problems found so far and forgets them (for a test that causes one on purpose). */
  take(): string[] {
    return this.found.splice(0);
  }
}

export interface GuardedContext {
  context: BrowserContext;
  page: Page;
  problems: BrowserProblems;
}

/** A fresh context (its own cookies: one user) whose pages report their problems. */
export async function openGuardedContext(browser: Browser, options: BrowserContextOptions = {}): Promise<GuardedContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS * 2);
  const problems = new BrowserProblems();
  // Bindings and init scripts are injected over the DevTools protocol, so the page's CSP does not apply to them.
  await context.exposeBinding('__reportCspViolation', (_source, violation: string) => problems.add(`CSP violation: ${violation}`));
  await context.addInitScript(() => {
    const w = window as unknown as { __reportCspViolation(v: string): Promise<void>; __cspReported?: Promise<void> };
    document.addEventListener('securitypolicyviolation', (e) => {
      // Kept so a test can await the report's arrival in Node (see `cspReportsDelivered`).
      w.__cspReported = w.__reportCspViolation(
        `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} on ${e.documentURI}${e.sample ? ` (${e.sample})` : ''}`,
      );
    });
  });
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.consoleError(message.text(), message.location().url || undefined);
    });
    page.on('pageerror', (error) => problems.add(`uncaught exception: ${error.message}`));
    page.on('requestfailed', (request) => {
      const failure = request.failure()?.errorText ?? 'failed';
      // Leaving a page aborts what it was still loading (a favicon, a lazy image): not a fault. A missing
      // or refused resource shows as a console error or a CSP violation instead.
      if (failure === 'net::ERR_ABORTED') return;
      problems.add(`request failed: ${request.method()} ${request.url()}: ${failure}`);
    });
  };
  context.on('page', watch);
  const page = await context.newPage();
  return { context, page, problems };
}

/**
 * For a suite's tests: opens guarded contexts on the rig's app (`baseURL` set), closes them after each
 * test, and fails that test on any problem they saw. Call it in the `describe` body.
 */
export function guardedContexts(rig: () => BrowserRig): (options?: BrowserContextOptions) => Promise<GuardedContext> {
  const open: GuardedContext[] = [];
  afterEach(async () => {
    const contexts = open.splice(0);
    const problems = contexts.flatMap((c) => c.problems.list());
    await Promise.all(contexts.map((c) => c.context.close()));
    expect(problems).toEqual([]);
  });
  return async (options = {}) => {
    const guarded = await openGuardedContext(rig().browser, { baseURL: rig().app.baseUrl, ...options });
    open.push(guarded);
    return guarded;
  };
}

/** Waits until the page has reported a CSP violation and the report has reached `BrowserProblems`. */
export async function cspReportDelivered(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { __cspReported?: Promise<void> }).__cspReported !== undefined);
  await page.evaluate(() => (window as unknown as { __cspReported: Promise<void> }).__cspReported);
}

/**
 * Signs in from a page showing the app's `Login` link (clicked) or from the provider's sign-in page
 * (where a page that needs sign-in sends people): types into the development identity provider's form,
 * allows the consent page if one is shown, and waits for the app's `Sign out` button.
 */
export async function signInThroughProvider(page: Page, user: { email: string; name: string }): Promise<void> {
  if (!new URL(page.url()).pathname.startsWith('/dev-idp/')) await page.getByRole('link', { name: 'Login' }).click();
  await page.getByRole('heading', { name: 'Sign in (development)' }).waitFor();
  await page.getByLabel('Email').pressSequentially(user.email);
  await page.getByLabel('Name').pressSequentially(user.name);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await finishAtProvider(page);
}

/** After the provider's sign-in form: the consent page, if shown, then back in the app. */
export async function finishAtProvider(page: Page, submit: (button: Locator) => Promise<void> = (b) => b.click()): Promise<void> {
  const allow = page.getByRole('button', { name: 'Allow' });
  const signOut = page.getByRole('button', { name: 'Sign out' });
  await allow.or(signOut).first().waitFor();
  if (await allow.isVisible()) {
    await submit(allow);
    await signOut.waitFor();
  }
}

/** The path (and query) of the page's URL. */
export function pathOf(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/** The text of the flash message, or null when the page shows none. */
export async function flashText(page: Page): Promise<string | null> {
  const flash = page.locator('main .flash');
  return (await flash.count()) ? (await flash.innerText()).trim() : null;
}

/** Waits until every `<img>` matched has loaded and returns their natural widths (0: broken). */
export async function loadedImageWidths(images: Locator): Promise<number[]> {
  await images.first().waitFor();
  return images.evaluateAll(async (elements) =>
    Promise.all(
      (elements as HTMLImageElement[]).map(async (img) => {
        img.loading = 'eager';
        await img.decode().catch(() => undefined);
        return img.naturalWidth;
      }),
    ),
  );
}

/**
 * Runs axe-core in the page and returns the serious and critical violations, one line each. Evaluated
 * over the DevTools protocol: an injected `<script>` would be refused by the CSP, rightly.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  return accessibilityViolations(page, ['serious', 'critical']);
}

/** axe-core's violations on the page at the given impacts (all four by default), one line each. */
export async function accessibilityViolations(page: Page, impacts = ['minor', 'moderate', 'serious', 'critical']): Promise<string[]> {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations
    .filter((v) => impacts.includes(v.impact ?? 'minor'))
    .map((v) => `${v.impact} ${v.id} (${v.help}) at ${v.targets.join(', ')} on ${pathOf(page)}`);
}

/** How many CSS pixels the page is wider than its viewport (0: no horizontal scroll). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth,
  );
}

/** What the focused element shows, to check that keyboard focus is visible. */
export interface FocusState {
  /** A short description of the focused element, for messages. */
  element: string;
  focusVisible: boolean;
  /** An opaque outline of at least 2 px, or null with the reason it is not one. */
  indicator: string | null;
  problem: string | null;
}

export function focusState(page: Page): Promise<FocusState> {
  return page.evaluate(describeFocus, undefined);
}

/**
 * Runs in the page: what the focused element shows, and whether it is `target`. Self-contained, since
 * Playwright sends its source to the page.
 */
function describeFocus(target?: Element): FocusState & { onTarget: boolean } {
  const el = document.activeElement as HTMLElement | null;
  if (!el || el === document.body)
    return { element: 'body', focusVisible: false, indicator: null, problem: 'nothing is focused', onTarget: false };
  const label = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
  const element = `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('type') ? ` type=${el.getAttribute('type')}` : ''}> ${label}`;
  const style = getComputedStyle(el);
  const width = parseFloat(style.outlineWidth);
  const alpha = /rgba\([^)]*,\s*([\d.]+)\)/.exec(style.outlineColor)?.[1];
  const opaque = alpha === undefined || Number(alpha) >= 0.9;
  const indicator =
    style.outlineStyle !== 'none' && width >= 2 && opaque ? `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}` : null;
  const focusVisible = el.matches(':focus-visible');
  const problem = !focusVisible
    ? 'does not match :focus-visible'
    : indicator
      ? null
      : `no visible outline (outline: ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; box-shadow: ${style.boxShadow})`;
  return { element, focusVisible, indicator, problem, onTarget: el === target };
}

/**
 * Presses Tab until `target` has focus, checking at every stop that the focus is visible. Returns the
 * problems found on the way (empty when every stop showed its focus). Throws if `target` is never reached.
 */
export async function tabTo(page: Page, target: Locator, maxStops = 30): Promise<string[]> {
  const problems: string[] = [];
  await target.waitFor();
  for (let stop = 0; stop < maxStops; stop++) {
    await page.keyboard.press('Tab');
    const state = await target.evaluate(describeFocus);
    if (state.problem) problems.push(`${state.element}: ${state.problem} on ${pathOf(page)}`);
    if (state.onTarget) return problems;
  }
  throw new Error(`Tab never reached ${target} within ${maxStops} stops on ${pathOf(page)}`);
}

/** Writes a screenshot (the full page unless told otherwise) to the run's folder, and returns its path. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true, animations: 'disabled' });
  return path;
}

export interface SeedBook {
  title: string;
  author?: string;
  publishedDate?: string;
  description?: string;
  /** A colour for a generated cover; none: no cover. */
  cover?: string;
  /** The generated cover's size in pixels; by default 240 x 360. */
  coverSize?: { width: number; height: number };
}

/**
 * A person using the app's own pages over HTTP, without a browser: for arranging data quickly, and for
 * handing a signed-in session to a browser context when signing in is not what a test is about.
 */
export class HttpUser {
  private constructor(
    private readonly client: WebClient,
    readonly baseUrl: string,
  ) {}

  static async signIn(baseUrl: string, user: { email: string; name: string }): Promise<HttpUser> {
    const client = new WebClient(baseUrl);
    const landed = await client.signIn(user.email, user.name);
    if (!client.cookie(SESSION_COOKIE)) throw new Error(`Sign-in as ${user.email} failed at ${landed.url} (${landed.status})`);
    return new HttpUser(client, baseUrl);
  }

  /** A `Cookie` header carrying this person's session, for clients other than Playwright (Lighthouse). */
  cookieHeader(): string {
    return `${SESSION_COOKIE}=${this.client.cookie(SESSION_COOKIE)!}`;
  }

  /** Browser context options carrying this person's session cookie. */
  storageState(): BrowserContextOptions['storageState'] {
    const url = new URL(this.baseUrl);
    return {
      cookies: [
        {
          name: SESSION_COOKIE,
          value: this.client.cookie(SESSION_COOKIE)!,
          domain: url.hostname,
          path: '/',
          expires: -1,
          httpOnly: true,
          secure: false,
          sameSite: 'Lax',
        },
      ],
      origins: [],
    };
  }

  /** Adds a book through the form (multipart, with a generated cover if asked) and returns its id. */
  async addBook(book: SeedBook): Promise<string> {
    const form = await this.client.get('/books/add');
    const body = new FormData();
    body.set('_csrf', this.client.csrfToken(form));
    body.set('title', book.title);
    body.set('author', book.author ?? '');
    body.set('publishedDate', book.publishedDate ?? '');
    body.set('description', book.description ?? '');
    if (book.cover)
      body.set('image', new Blob([new Uint8Array(await coverPng(book.cover, book.coverSize))], { type: 'image/png' }), 'cover.png');
    const added = await this.client.post('/books/add', body);
    const id = /^\/books\/([^/]+)$/.exec(added.headers.get('location') ?? '')?.[1];
    if (added.status !== 303 || !id) throw new Error(`Adding "${book.title}" answered ${added.status}:\n${added.body.slice(0, 1000)}`);
    // Follow the redirect as a browser would, so the flash message is not left for the next page.
    await this.client.get(`/books/${id}`);
    return id;
  }

  async addBooks(books: SeedBook[]): Promise<string[]> {
    const ids: string[] = [];
    for (const book of books) ids.push(await this.addBook(book));
    return ids;
  }

  async deleteBook(id: string): Promise<void> {
    const confirm = await this.client.get(`/books/${id}/delete`);
    const deleted = await this.client.post(`/books/${id}/delete`, { _csrf: this.client.csrfToken(confirm) });
    if (deleted.status !== 303) throw new Error(`Deleting book ${id} answered ${deleted.status}`);
    await this.client.get(deleted.headers.get('location')!);
  }
}
