/**
 * The rules every submitted text field follows, whatever the form: read as one string, trimmed, at most a
 * number of characters counted as code points (what a person sees, not UTF-16 units), and free of the
 * characters that some databases refuse with an error instead of storing.
 */
export interface TextFieldRule {
  /** How the field is named in its error messages ("Title"). */
  label: string;
  /** At most this many code points, after trimming. */
  maxLength: number;
  /** At least one character after trimming. */
  required?: boolean;
  /** A text area: its CRLF line breaks are kept as LF. */
  multiline?: boolean;
}

export interface TextFields<K extends string> {
  /** Trimmed values, as entered: re-rendered with the errors when invalid. */
  values: Record<K, string>;
  /** One message per refused field. */
  errors: Partial<Record<K, string>>;
}

// Control characters other than tab, line feed and carriage return (NUL included), and lone surrogates,
// which some databases refuse with an error instead of storing.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A body value as text: a repeated field arrives as an array, of which the first counts (as browsers send one); anything else is ''. */
export function formText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return '';
}

/** A checkbox: ticked when it sends one of the values browsers and scripts use for "on". */
export function formCheckbox(value: unknown): boolean {
  return ['on', 'true', '1', 'yes'].includes(formText(value));
}

/** One field by its rule: the trimmed value, and the message that refuses it, if any. */
export function readTextField(raw: unknown, rule: TextFieldRule): { value: string; error?: string } {
  let value = formText(raw);
  if (rule.multiline) value = value.replace(/\r\n/g, '\n');
  value = value.trim();
  if (FORBIDDEN.test(value)) return { value, error: `${rule.label} contains characters that are not allowed.` };
  if ([...value].length > rule.maxLength) return { value, error: `${rule.label} can be at most ${rule.maxLength} characters.` };
  if (rule.required && value.length === 0) return { value, error: `${rule.label} is required.` };
  return { value };
}

/** The fields `rules` names, read from a parsed form body; nothing else in the body is read. */
export function readTextFields<K extends string>(body: unknown, rules: Record<K, TextFieldRule>): TextFields<K> {
  const raw = (body ?? {}) as Record<string, unknown>;
  const values = {} as Record<K, string>;
  const errors: Partial<Record<K, string>> = {};
  for (const field of Object.keys(rules) as K[]) {
    const { value, error } = readTextField(raw[field], rules[field]);
    values[field] = value;
    if (error !== undefined) errors[field] = error;
  }
  return { values, errors };
}
