import { formText, readTextField, type TextFieldRule } from '../common/form-fields';
import { TOKEN_LIFETIMES_DAYS, TOKEN_SCOPES, type TokenScope } from './access-token';

export interface TokenFormValues {
  name: string;
  scopes: TokenScope[];
  /** Days until it expires; null: never. */
  expiresInDays: number | null;
}

export type TokenFormErrors = Partial<Record<'name' | 'scopes' | 'expiresInDays', string>>;

export interface TokenFormResult {
  values: TokenFormValues;
  errors: TokenFormErrors;
  valid: boolean;
}

const NAME: TextFieldRule = { label: 'Name', maxLength: 100, required: true };

/** Validates the new-token form: `name`, `scopes` (one or more), `expiresInDays` (30, 90, 365 or `none`). Nothing else is read. */
export function parseTokenForm(body: unknown): TokenFormResult {
  const raw = (body ?? {}) as Record<string, unknown>;
  const errors: TokenFormErrors = {};
  const name = readTextField(raw.name, NAME);
  if (name.error) errors.name = name.error;

  const given = Array.isArray(raw.scopes) ? (raw.scopes as unknown[]) : raw.scopes === undefined ? [] : [raw.scopes];
  const scopes: TokenScope[] = [];
  for (const value of given) {
    const scope = typeof value === 'string' ? value : '';
    if (!(TOKEN_SCOPES as readonly string[]).includes(scope)) {
      errors.scopes = `Scopes can only be ${TOKEN_SCOPES.join(' and ')}.`;
    } else if (!scopes.includes(scope as TokenScope)) {
      scopes.push(scope as TokenScope);
    }
  }
  if (scopes.length === 0 && !errors.scopes) errors.scopes = 'Choose at least one scope.';

  const lifetime = formText(raw.expiresInDays).trim();
  let expiresInDays: number | null = null;
  if (lifetime !== 'none') {
    expiresInDays = Number(lifetime);
    if (!(TOKEN_LIFETIMES_DAYS as readonly number[]).includes(expiresInDays)) {
      errors.expiresInDays = 'Choose 30, 90 or 365 days, or no expiry.';
      expiresInDays = 90;
    }
  }
  return { values: { name: name.value, scopes, expiresInDays }, errors, valid: Object.keys(errors).length === 0 };
}
