import { formCheckbox, readTextFields, type TextFieldRule } from '../common/form-fields';
import type { BookFields } from './book';

export type BookFormErrors = Partial<Record<keyof BookFields | 'image', string>>;

export interface BookFormResult {
  /** Trimmed values, as entered: re-rendered with the errors when invalid. */
  values: BookFields;
  errors: BookFormErrors;
  valid: boolean;
  removeImage: boolean;
}

/** The rules of the four editable fields, shared by the form and the JSON API. */
export const BOOK_FIELD_RULES: Readonly<Record<keyof BookFields, TextFieldRule>> = {
  title: { label: 'Title', maxLength: 200, required: true },
  author: { label: 'Author', maxLength: 200 },
  publishedDate: { label: 'Published date', maxLength: 50 },
  description: { label: 'Description', maxLength: 5000, multiline: true },
};

/**
 * Validates a submitted book form. Only the four editable fields and `removeImage` are read;
 * anything else in the body (an owner, a cover URL) is ignored.
 */
export function parseBookForm(body: unknown): BookFormResult {
  const { values, errors } = readTextFields(body, BOOK_FIELD_RULES);
  const removeImage = formCheckbox((body as Record<string, unknown> | null | undefined)?.removeImage);
  return { values, errors, valid: Object.keys(errors).length === 0, removeImage };
}
