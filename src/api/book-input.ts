import { readTextField } from '../common/form-fields';
import type { BookFields } from '../books/book';
import { BOOK_FIELD_RULES } from '../books/book-form';
import { type FieldError, InvalidFields, MalformedRequest } from './api-errors';

const FIELDS = Object.keys(BOOK_FIELD_RULES) as (keyof BookFields)[];

/**
 * The book fields of a JSON body, by the form's rules (trimmed, lengths in code points, no control
 * characters). Only the four fields are read: an owner, a cover or anything else in the body is ignored.
 * `partial` (PATCH): only the fields present; null clears an optional field. Throws `MalformedRequest`
 * for a body that is not a JSON object, `InvalidFields` (422) with every refused field.
 */
export function readBookInput(body: unknown, partial: boolean): Partial<BookFields> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MalformedRequest('The request body must be a JSON object.');
  }
  const raw = body as Record<string, unknown>;
  const values: Partial<BookFields> = {};
  const errors: FieldError[] = [];
  for (const field of FIELDS) {
    const rule = BOOK_FIELD_RULES[field];
    const present = Object.prototype.hasOwnProperty.call(raw, field);
    if (!present && partial) continue;
    let value = raw[field];
    if (value === undefined || (value === null && !rule.required)) value = '';
    if (typeof value !== 'string') {
      errors.push({ field, message: rule.required && value === null ? `${rule.label} is required.` : `${rule.label} must be a string.` });
      continue;
    }
    const read = readTextField(value, rule);
    if (read.error) errors.push({ field, message: read.error });
    else values[field] = read.value;
  }
  if (errors.length > 0) throw new InvalidFields(errors);
  return values;
}
