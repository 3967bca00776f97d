export const DEFAULT_RETURN_PATH = '/books';

/**
 * A same-origin path to return to after sign-in, or `/books`. Only `/` followed by a character that is
 * neither `/` nor `\` (which browsers would read as another host), and nothing a browser strips or
 * rewrites (control characters, spaces).
 */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2048) return DEFAULT_RETURN_PATH;
  if (!/^\/[^/\\]/.test(value) && value !== '/') return DEFAULT_RETURN_PATH;
  if (/[\u0000-\u0020\u007F\\]/.test(value)) return DEFAULT_RETURN_PATH;
  return value;
}
