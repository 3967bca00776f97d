import { DomainError } from '../common/domain-errors';

/** An upload that is not a cover we can take: not an accepted image type, unreadable, or beyond `CoverLimits`. */
export class InvalidImage extends DomainError {
  readonly kind = 'invalid' as const;
  constructor(reason = 'The cover must be a PNG, JPEG, GIF or WebP image.') {
    super(reason);
  }
}
