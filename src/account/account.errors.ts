import { DomainError } from '../common/domain-errors';

/** A session handle that is not one of this person's sessions (unknown, ended, or someone else's). */
export class SessionNotFound extends DomainError {
  readonly kind = 'not_found' as const;
  constructor() {
    super('That session has already ended, or is not one of yours.');
  }
}

/** Deleting an account stopped part way (a database or storage failure); trying again finishes it. */
export class AccountDeletionInterrupted extends DomainError {
  readonly kind = 'unavailable' as const;
  constructor(cause: unknown) {
    super('Your account could not be deleted completely just now. Please try again: nothing of yours will be kept.');
    this.cause = cause;
  }
}
