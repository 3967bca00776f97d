/** What a personal access token may do. `books:write` implies `books:read`. */
export const TOKEN_SCOPES = ['books:read', 'books:write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** The lifetimes a person can pick; null: the token never expires. */
export const TOKEN_LIFETIMES_DAYS = [30, 90, 365] as const;

/** At most this many tokens per person. */
export const MAX_TOKENS_PER_PERSON = 20;

/**
 * A personal access token as the application sees it on every backend. The secret itself is never
 * stored: only its SHA-256 (`hash`) and a short visible `prefix` (`bks_` and the first characters).
 */
export interface AccessToken {
  /** A random string; names the token in URLs (revoke). */
  id: string;
  /** The owner's `sub`. */
  userId: string;
  /** The owner's display name when the token was made: the name on books the token adds. */
  userName: string;
  name: string;
  scopes: TokenScope[];
  prefix: string;
  /** Hex SHA-256 of the whole secret. */
  hash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

export function allowsScope(token: Pick<AccessToken, 'scopes'>, scope: TokenScope): boolean {
  return token.scopes.includes(scope) || (scope === 'books:read' && token.scopes.includes('books:write'));
}
