import { DomainError } from '../common/domain-errors';

/** No token with that id belongs to the signed-in person. */
export class TokenNotFound extends DomainError {
  readonly kind = 'not_found' as const;
  constructor() {
    super('That token does not exist.');
  }
}

/** A request to the API that needs a token came without one, or with one that is unknown, revoked or expired. */
export class TokenRequired extends DomainError {
  readonly kind = 'sign_in_required' as const;
  constructor(readonly presented: boolean) {
    super(
      presented
        ? 'The access token is unknown, revoked or expired.'
        : 'This request needs an access token (Authorization: Bearer bks_...).',
    );
  }
}

/** A valid token without the scope the request needs. */
export class MissingScope extends DomainError {
  readonly kind = 'forbidden' as const;
  constructor(scope: string) {
    super(`The access token does not have the ${scope} scope.`);
  }
}
