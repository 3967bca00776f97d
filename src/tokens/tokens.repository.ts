import type { AccessToken } from './access-token';

/**
 * The personal access tokens of every person, on every data backend (the class is the DI token).
 *
 * Invariants every adapter keeps:
 * - `create` stores the token as given (its `id` and `hash` are made by the service) and returns it;
 * - `findByHash` returns the token whose `hash` is the given one, or null; a deleted token is never
 *   returned again, whichever instance deleted it (no cache);
 * - `listFor` returns every token of `userId` and no other, newest first (`createdAt` descending,
 *   then `id`);
 * - `touch` records `lastUsedAt` and ignores a token that is gone;
 * - `delete` removes the token only if `userId` owns it, and says whether it did; `deleteAllOf`
 *   removes every token of `userId`; both are idempotent;
 * - a database that cannot be reached throws `BackendUnavailable`, within the time budget.
 */
export abstract class TokensRepository {
  abstract create(token: AccessToken): Promise<AccessToken>;
  abstract findByHash(hash: string): Promise<AccessToken | null>;
  abstract listFor(userId: string): Promise<AccessToken[]>;
  abstract touch(token: Pick<AccessToken, 'id' | 'hash'>, at: Date): Promise<void>;
  abstract delete(id: string, userId: string): Promise<boolean>;
  abstract deleteAllOf(userId: string): Promise<void>;
}

/** Newest first, then id: the one order of `listFor` on every backend. */
export function newestFirst(a: AccessToken, b: AccessToken): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
