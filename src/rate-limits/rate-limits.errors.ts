import { DomainError } from '../common/domain-errors';

/** Too many requests of one kind from one person or address within the limit's window. */
export class RateLimited extends DomainError {
  readonly kind = 'rate_limited' as const;
  constructor(override readonly retryAfterSeconds: number) {
    super('Too many requests in a short time. Please wait a moment and try again.');
  }
}
