import type { BookFields } from './book';

export type BookFormErrors = Partial<Record<keyof BookFields | 'image', string>>;

export interface BookFormResult {
  /** Trimmed values, as entered: re-rendered with the errors when invalid. */
  values: BookFields;
  errors: BookFormErrors;
  valid: boolean;
  removeImage: boolean;
}

const LIMITS: Record<keyof BookFields, number> = {
  title: 200,
  author: 200,
  publishedDate: 50,
  description: 5000,
};

const LABELS: Record<keyof BookFields, string> = {
  title: 'Title',
  author: 'Author',
  publishedDate: 'Published date',
  description: 'Description',
};

// Control characters other than tab, line feed and carriage return (NUL included), and lone surrogates,
// which some databases refuse with an error instead of storing.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  // A repeated field arrives as an array: keep the first, as browsers send one.
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return '';
}

/**
 * Validates a submitted book form. Only the four editable fields and `removeImage` are read;
 * anything else in the body (an owner, a cover URL) is ignored.
 */
export function parseBookForm(body: unknown): BookFormResult {
  const raw = (body ?? {}) as Record<string, unknown>;
  const values: BookFields = {
    title: text(raw.title).trim(),
    author: text(raw.author).trim(),
    publishedDate: text(raw.publishedDate).trim(),
    description: text(raw.description).replace(/\r\n/g, '\n').trim(),
  };
  const errors: BookFormErrors = {};
  for (const field of Object.keys(LIMITS) as (keyof BookFields)[]) {
    const value = values[field];
    if (FORBIDDEN.test(value)) {
      errors[field] = `${LABELS[field]} contains characters that are not allowed.`;
    } else if ([...value].length > LIMITS[field]) {
      errors[field] = `${LABELS[field]} can be at most ${LIMITS[field]} characters.`;
    }
  }
  if (!errors.title && values.title.length === 0) errors.title = 'Title is required.';
  const removeImage = ['on', 'true', '1', 'yes'].includes(text(raw.removeImage));
  return { values, errors, valid: Object.keys(errors).length === 0, removeImage };
}
