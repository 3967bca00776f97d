import { DomainError } from '../common/domain-errors';

export class BookNotFound extends DomainError {
  readonly kind = 'not_found' as const;
  constructor() {
    super('That book does not exist.');
  }
}

/** Someone other than the person who added the book tried to see its edit or delete page, or to change it. */
export class NotBookOwner extends DomainError {
  readonly kind = 'forbidden' as const;
  constructor() {
    super('Only the person who added this book can change it.');
  }
}

/** A search query given more than once (`?q=a&q=b`), or too long to be one a person typed. */
export class InvalidSearch extends DomainError {
  readonly kind = 'malformed' as const;
  constructor() {
    super('That search is not valid. Search again from the box at the top of the page.');
  }
}
