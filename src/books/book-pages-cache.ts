import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { BoundedMap } from '../common/bounded-map';
import { BookChangeStamp } from './book-change-stamp';

/**
 * Where a page that may be kept can be: the all-books list (page 1 or a page named by a token) and one
 * book's page. Only a handler's say-so (`keepForAnonymous`) keeps one: a path that matches is not enough.
 */
const CANDIDATE = /^\/books(?:\?page_token=[A-Za-z0-9_.-]{1,1024}|\/[A-Za-z0-9_-]{1,64})?$/;
/** Page 1, the pages people are paging through and the books they are looking at now; up to about 10 KB each. */
export const MAX_PAGES = 256;
/** Bounds anything time-bound in a page, such as signed cover URLs (valid 15 minutes or more). */
export const MAX_AGE_MS = 60_000;

const KEEP = Symbol('keep for anonymous visitors');

/**
 * Marks the page being answered as one that shows nothing but books (titles, authors, descriptions,
 * who added them and cover URLs made from the book's own keys): the same bytes for every anonymous
 * visitor while no book changes. Called by the books list and book page handlers.
 */
export function keepForAnonymous(res: Response): void {
  (res.locals as { [KEEP]?: true })[KEEP] = true;
}

interface Page {
  stamp: string;
  /** The page's bytes, encoded once when kept: serving it again converts and copies nothing. */
  body: Buffer;
  storedAt: number;
}

/**
 * Reuses the rendered all-books list pages and book pages for anonymous visitors while they are exactly
 * current: each page is kept with the repository's change stamp read before its query ran, and served
 * again only while the stamp still reads the same (one indexed read of one row, which every instance's
 * writes move). So a book added, edited or deleted on any instance shows at once everywhere; nothing is
 * stale, and no state that matters lives in the process. Adapters without a stamp (null) are never cached.
 *
 * Books-only, on purpose: a page is kept only when its handler says it shows nothing but books
 * (`keepForAnonymous`), so the books' change stamp is all that can make one stale (MAX_AGE_MS
 * bounds time-bound cover URLs). A feature whose data comes to appear on these pages must move a stamp as
 * well: then the stamp becomes a port in `common/` that every such feature's writes move, read here
 * instead of the repository. Until then no other feature has anything to do for it. The spec checks that
 * no other page is ever kept.
 *
 * Mounted by `configureApp` for anonymous reads only: signed-in pages carry a name and a CSRF token.
 */
@Injectable()
export class BookPagesCache {
  private readonly pages = new BoundedMap<string, Page>(MAX_PAGES);
  constructor(private readonly stamp: BookChangeStamp) {}

  readonly middleware: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' || !CANDIDATE.test(req.originalUrl)) return next();
    // A failure to read the stamp is the outage the page itself would meet: answered as one (503) at once.
    this.stamp.read().then((stamp) => this.serve(stamp, req, res, next), next);
  };

  private serve(stamp: string | null, req: Request, res: Response, next: NextFunction): void {
    if (stamp === null) return next();
    const key = req.originalUrl;
    const page = this.pages.get(key);
    if (page && page.stamp === stamp && Date.now() - page.storedAt < MAX_AGE_MS) {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Content-Length', page.body.length);
      res.end(page.body);
      return;
    }
    // Keep what the route renders, under the stamp read before its query: a write in between moves the
    // stamp, so such a page is rendered again next time rather than served stale.
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      const kept = (res.locals as { [KEEP]?: true })[KEEP] === true;
      if (kept && res.statusCode === 200 && typeof body === 'string')
        this.pages.set(key, { stamp, body: Buffer.from(body), storedAt: Date.now() });
      return send(body);
    };
    next();
  }
}
