/**
 * The small, fixed set of ways a request can fail below the controllers. `DomainErrorFilter` maps each
 * kind to one HTTP status (and, for a few, one extra behaviour), so a feature that adds an error picks a
 * kind and edits nothing here or in the filter.
 *
 * - `not_found` 404, `forbidden` 403 (a refused CSRF token too), `malformed` 400 (a request we cannot
 *   read, such as an edited page link), `invalid` 422 (content we read and refuse, such as a bad image),
 *   `too_large` 413, `rate_limited` 429, `busy` 503 (this server is at capacity), `unavailable` 503
 *   (a backend cannot be reached; logged with its `cause`);
 * - `sign_in_required` 403, or a redirect to sign-in for a GET or HEAD.
 */
export type ErrorKind =
  | 'not_found'
  | 'forbidden'
  | 'sign_in_required'
  | 'malformed'
  | 'invalid'
  | 'too_large'
  | 'rate_limited'
  | 'busy'
  | 'unavailable';

/**
 * An error a request may meet, with a message for the person who made it (shown on the error page).
 * Each feature keeps its own subclasses in its folder (`books/books.errors.ts`...); this file keeps only
 * the errors that belong to no feature.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  /** Seconds a client should wait before trying again (`Retry-After`), for the errors that have one. */
  readonly retryAfterSeconds?: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** For an exhaustive `switch` over a union: a case left out fails to type-check where this is called. */
export function assertUnreachable(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`);
}

/** A page link (`page_token`) this app did not issue for that list, or one no adapter can read. */
export class InvalidPageToken extends DomainError {
  readonly kind = 'malformed' as const;
  constructor() {
    super('That page link is not valid. Start again from the first page.');
  }
}

export class CsrfRejected extends DomainError {
  readonly kind = 'forbidden' as const;
  constructor() {
    super('Your form expired or did not come from this site. Go back, reload the page and try again.');
  }
}

export class SignInRequired extends DomainError {
  readonly kind = 'sign_in_required' as const;
  constructor() {
    super('You need to sign in to do that.');
  }
}

export class RequestTooLarge extends DomainError {
  readonly kind = 'too_large' as const;
  constructor() {
    super('That upload is too large. Covers can be at most 8 MiB.');
  }
}

/** The server is doing as much of this work as it can take; nothing was stored. */
export class Busy extends DomainError {
  readonly kind = 'busy' as const;
  constructor(
    message = 'Bookshelf is busy. Please try again in a moment.',
    override readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}

/** A database or store cannot be reached; `cause` (the driver's error) is logged, never shown. */
export class BackendUnavailable extends DomainError {
  readonly kind = 'unavailable' as const;
  constructor(cause?: unknown) {
    super('Bookshelf cannot reach its database right now. Please try again in a moment.');
    this.cause = cause;
  }
}
