import { DomainError } from '../common/domain-errors';

export interface FieldError {
  field: string;
  message: string;
}

/** 422: fields the API read and refuses, each with its message. */
export class InvalidFields extends DomainError {
  readonly kind = 'invalid' as const;
  constructor(readonly errors: FieldError[]) {
    super('Some fields are not valid.');
  }
}

/** 400: a request the API cannot read (a query parameter out of range, a body that is not a JSON object). */
export class MalformedRequest extends DomainError {
  readonly kind = 'malformed' as const;
}
