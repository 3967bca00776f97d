/**
 * Errors thrown below the controllers. Each has a stable code; `DomainErrorFilter` is the one place
 * that turns them into HTTP statuses and error pages.
 */
export type DomainErrorCode =
  | 'book_not_found'
  | 'not_owner'
  | 'invalid_page_token'
  | 'invalid_image'
  | 'csrf_rejected'
  | 'sign_in_required'
  | 'request_too_large'
  | 'rate_limited'
  | 'busy'
  | 'backend_unavailable';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  /** Seconds a client should wait before trying again (`Retry-After`), for the errors that have one. */
  readonly retryAfterSeconds?: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class BookNotFound extends DomainError {
  readonly code = 'book_not_found' as const;
  constructor() {
    super('That book does not exist.');
  }
}

export class NotOwner extends DomainError {
  readonly code = 'not_owner' as const;
  constructor() {
    super('Only the person who added this book can change it.');
  }
}

export class InvalidPageToken extends DomainError {
  readonly code = 'invalid_page_token' as const;
  constructor() {
    super('That page link is not valid. Start again from the first page.');
  }
}

export class InvalidImage extends DomainError {
  readonly code = 'invalid_image' as const;
  constructor(reason = 'The cover must be a PNG, JPEG, GIF or WebP image.') {
    super(reason);
  }
}

export class CsrfRejected extends DomainError {
  readonly code = 'csrf_rejected' as const;
  constructor() {
    super('Your form expired or did not come from this site. Go back, reload the page and try again.');
  }
}

export class SignInRequired extends DomainError {
  readonly code = 'sign_in_required' as const;
  constructor() {
    super('You need to sign in to do that.');
  }
}

export class RequestTooLarge extends DomainError {
  readonly code = 'request_too_large' as const;
  constructor() {
    super('That upload is too large. Covers can be at most 8 MiB.');
  }
}

/** Too many requests of one kind from one person or address within the limit's window. */
export class RateLimited extends DomainError {
  readonly code = 'rate_limited' as const;
  constructor(override readonly retryAfterSeconds: number) {
    super('Too many requests in a short time. Please wait a moment and try again.');
  }
}

/** The server is doing as much of this work as it can take; nothing was stored. */
export class Busy extends DomainError {
  readonly code = 'busy' as const;
  constructor(
    message = 'Bookshelf is busy processing other covers. Please try again in a moment.',
    override readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}

export class BackendUnavailable extends DomainError {
  readonly code = 'backend_unavailable' as const;
  constructor(cause?: unknown) {
    super('Bookshelf cannot reach its database right now. Please try again in a moment.');
    this.cause = cause;
  }
}
