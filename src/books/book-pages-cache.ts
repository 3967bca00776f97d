import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { BoundedMap } from '../common/bounded-map';
import { type MarkedPage, ViewerMarks, type ViewerValues } from '../common/viewer-marks';
import { BookChangeStamp } from './book-change-stamp';

/**
 * Where a page that may be kept can be: the all-books list and My Books (page 1 or a page named by a token)
 * and one book's page. Only a handler's say-so (`keepPage`) keeps one: a path that matches is not enough.
 */
const CANDIDATE = /^\/books(?:(?:\/mine)?(?:\?page_token=[A-Za-z0-9_.-]{1,1024})?|\/[A-Za-z0-9_-]{1,64})$/;
/** Page 1, the pages people are paging through and the books they are looking at now; up to about 10 KB each. */
export const MAX_PAGES = 256;
/** Bounds anything time-bound in a page, such as signed cover URLs (valid 15 minutes or more). */
export const MAX_AGE_MS = 60_000;

const KEEP = Symbol('keep this page');

/**
 * Who a page may be shown to: everyone (the default), everyone but one person (`except`: a book's page for
 * anyone but its owner, who sees its controls), or one person alone (`only`: My Books, a book's page as its
 * owner). Nobody's page is ever kept for anybody else.
 */
export interface Audience {
  only?: string;
  except?: string;
}

/**
 * Marks the page being answered as one that shows nothing but books (titles, authors, descriptions,
 * who added them and cover URLs made from the book's own keys), apart from the viewer's own name, picture
 * and CSRF token: the same bytes for every viewer of the audience while no book changes. Called by the
 * books list, My Books and book page handlers.
 */
export function keepPage(res: Response, audience: Audience = {}): void {
  (res.locals as { [KEEP]?: Audience })[KEEP] = audience;
}

/**
 * The audience the handler gave, when the page has no locals but those `configureApp` sets on every page. A
 * local that another module sets (perhaps a different one for each viewer) keeps the page from being kept,
 * rather than being frozen into it for everyone.
 */
function audienceOf(res: Response): Audience | undefined {
  if (!Object.keys(res.locals).every((name) => PAGE_LOCALS.has(name))) return undefined;
  return (res.locals as { [KEEP]?: Audience })[KEEP];
}
const PAGE_LOCALS = new Set(['section', 'loginUrl', 'user', 'csrfToken']);

/** What a signed-in page shows of its viewer, filled into the kept page per request. */
type ViewerField = 'id' | 'name' | 'email' | 'picture' | 'csrfToken';
const VIEWER_FIELDS: readonly ViewerField[] = ['id', 'name', 'email', 'picture', 'csrfToken'];

interface Page {
  stamp: string;
  /** The page's bytes, encoded once when kept: serving it again converts and copies nothing. */
  body: Buffer;
  storedAt: number;
}

interface ViewerPage {
  stamp: string;
  page: MarkedPage<ViewerField>;
  /** The one person this shared page is not for. */
  except?: string;
  storedAt: number;
}

/**
 * Reuses rendered all-books list pages, My Books pages and book pages while they are exactly current:
 * each page is kept with the repository's change stamp read before its query ran, and served again only
 * while the stamp still reads the same (one indexed read of one row, which every instance's writes move).
 * So a book added, edited or deleted on any instance shows at once everywhere; nothing is stale, and no
 * state that matters lives in the process. Adapters without a stamp (null) are never cached.
 *
 * - `anonymous` (mounted for reads without a session cookie) keeps the bytes of pages for everyone.
 * - `signedIn` (mounted after the session, passport and the page's locals) keeps signed-in pages with marks
 *   where the viewer's name, picture, email, id and CSRF token go (`ViewerMarks`), and fills them in for
 *   each request: the session is still read, checked and slid on every request (a revoked session stops at
 *   once), only Nest's routing, the handler and the rendering are skipped. Pages kept for everyone are
 *   shared by every signed-in viewer (apart from `except`); pages for one person (`only`) are keyed by
 *   their id. A page with a message (a flash) is neither served from nor kept.
 *
 * Books-only, on purpose: a page is kept only when its handler says it shows nothing but books
 * (`keepPage`), so the books' change stamp is all that can make one stale (MAX_AGE_MS bounds time-bound
 * cover URLs). A feature whose data comes to appear on these pages must move a stamp as well: then the
 * stamp becomes a port in `common/` that every such feature's writes move, read here instead of the
 * repository. Until then no other feature has anything to do for it. The spec checks that no other page
 * is ever kept.
 */
@Injectable()
export class BookPagesCache {
  private readonly pages = new BoundedMap<string, Page>(MAX_PAGES);
  private readonly viewerPages = new BoundedMap<string, ViewerPage>(MAX_PAGES);
  private readonly marks = new ViewerMarks(VIEWER_FIELDS);
  constructor(private readonly stamp: BookChangeStamp) {}

  readonly anonymous: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' || !CANDIDATE.test(req.originalUrl)) return next();
    // A failure to read the stamp is the outage the page itself would meet: answered as one (503) at once.
    this.stamp.read().then((stamp) => this.serve(stamp, req, res, next), next);
  };

  readonly signedIn: RequestHandler = (req, res, next) => {
    const locals = res.locals as { user?: Express.User; csrfToken?: string; flash?: unknown };
    if (req.method !== 'GET' || !req.user || !locals.csrfToken || locals.flash || !CANDIDATE.test(req.originalUrl)) return next();
    const viewer: ViewerValues<ViewerField> = { ...req.user, csrfToken: locals.csrfToken };
    this.stamp.read().then((stamp) => this.serveViewer(stamp, viewer, req, res, next), next);
  };

  private serve(stamp: string | null, req: Request, res: Response, next: NextFunction): void {
    if (stamp === null) return next();
    const key = req.originalUrl;
    const page = this.pages.get(key);
    if (isCurrent(page, stamp)) return sendHtml(res, page.body);
    // Keep what the route renders, under the stamp read before its query: a write in between moves the
    // stamp, so such a page is rendered again next time rather than served stale.
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      const audience = audienceOf(res);
      if (audience && !audience.only && res.statusCode === 200 && typeof body === 'string')
        this.pages.set(key, { stamp, body: Buffer.from(body), storedAt: Date.now() });
      return send(body);
    };
    next();
  }

  private serveViewer(stamp: string | null, viewer: ViewerValues<ViewerField>, req: Request, res: Response, next: NextFunction): void {
    if (stamp === null) return next();
    const id = viewer.id as string;
    const shared = `${req.originalUrl} ${this.marks.variant(viewer)}`;
    const own = this.viewerPages.get(`${shared} ${id}`);
    if (isCurrent(own, stamp)) return sendHtml(res, own.page.fill(viewer));
    const common = this.viewerPages.get(shared);
    if (isCurrent(common, stamp) && common.except !== id) return sendHtml(res, common.page.fill(viewer));
    // Render the route's page once with marks for the viewer's values, keep it under the stamp read before
    // its query, and answer with it filled in.
    const render = res.render.bind(res) as (
      view: string,
      options?: object,
      callback?: (error: Error | null, html?: string) => void,
    ) => void;
    res.render = ((view: string, options?: object, callback?: unknown) => {
      const audience = audienceOf(res);
      if (!audience || typeof options === 'function' || callback) return render(view, options, callback as undefined);
      const locals = res.locals as { user?: Express.User; csrfToken?: string };
      const { csrfToken, ...user } = this.marks.marked(viewer);
      [locals.user, locals.csrfToken] = [user as unknown as Express.User, csrfToken as string];
      render(view, options, (error, html) => {
        [locals.user, locals.csrfToken] = [req.user, viewer.csrfToken as string];
        if (error || html === undefined) return req.next!(error);
        const page = this.marks.cut(html);
        if (res.statusCode === 200) {
          const key = audience.only ? `${shared} ${audience.only}` : shared;
          this.viewerPages.set(key, { stamp, page, except: audience.except, storedAt: Date.now() });
        }
        sendHtml(res, page.fill(viewer));
      });
    }) as Response['render'];
    next();
  }
}

/** Whether a kept page may be served under the stamp read now: kept under the same one, and young enough. */
function isCurrent<T extends { stamp: string; storedAt: number }>(kept: T | undefined, stamp: string): kept is T {
  return kept !== undefined && kept.stamp === stamp && Date.now() - kept.storedAt < MAX_AGE_MS;
}

function sendHtml(res: Response, body: Buffer): void {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
