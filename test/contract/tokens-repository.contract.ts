import { randomBytes } from 'node:crypto';
import type { AccessToken } from '../../src/tokens/access-token';
import type { TokensRepository } from '../../src/tokens/tokens.repository';

function token(userId: string, createdAt: Date, overrides: Partial<AccessToken> = {}): AccessToken {
  return {
    id: randomBytes(12).toString('hex'),
    hash: randomBytes(32).toString('hex'),
    userId,
    userName: `Name of ${userId}`,
    name: 'laptop',
    scopes: ['books:read'],
    prefix: 'bks_abcdef',
    createdAt,
    lastUsedAt: null,
    expiresAt: null,
    ...overrides,
  };
}

/** The invariants of `TokensRepository` (src/tokens/tokens.repository.ts), for every adapter. */
export function describeTokensRepositoryContract(repository: () => TokensRepository): void {
  describe('TokensRepository contract', () => {
    const user = () => `user-${randomBytes(4).toString('hex')}`;

    it('stores a token and finds it by its hash only, with every field as given', async () => {
      const alice = user();
      const created = token(alice, new Date(1_750_000_000_000), {
        scopes: ['books:read', 'books:write'],
        expiresAt: new Date(1_760_000_000_000),
        name: 'Ünïcode 📚',
      });
      await repository().create(created);
      await expect(repository().findByHash(created.hash)).resolves.toEqual(created);
      await expect(repository().findByHash(randomBytes(32).toString('hex'))).resolves.toBeNull();
    });

    it("lists one person's tokens newest first, and no one else's", async () => {
      const alice = user();
      const bob = user();
      const older = token(alice, new Date(1_000));
      const newer = token(alice, new Date(2_000));
      const other = token(bob, new Date(3_000));
      for (const t of [older, other, newer]) await repository().create(t);
      const listed = await repository().listFor(alice);
      expect(listed.map((t) => t.id)).toEqual([newer.id, older.id]);
      await expect(repository().listFor(user())).resolves.toEqual([]);
    });

    it('records when a token was last used, and ignores one that is gone', async () => {
      const created = token(user(), new Date(1_000));
      await repository().create(created);
      const at = new Date(1_770_000_000_123);
      await repository().touch(created, at);
      await expect(repository().findByHash(created.hash)).resolves.toMatchObject({ lastUsedAt: at });
      await expect(repository().touch(token(user(), new Date()), at)).resolves.toBeUndefined();
    });

    it('deletes a token only for its owner, at once, and idempotently', async () => {
      const alice = user();
      const created = token(alice, new Date(1_000));
      await repository().create(created);
      await expect(repository().delete(created.id, user())).resolves.toBe(false);
      await expect(repository().findByHash(created.hash)).resolves.not.toBeNull();
      await expect(repository().delete(created.id, alice)).resolves.toBe(true);
      await expect(repository().findByHash(created.hash)).resolves.toBeNull();
      await expect(repository().delete(created.id, alice)).resolves.toBe(false);
    });

    it("deletes all of one person's tokens and no one else's", async () => {
      const alice = user();
      const bob = user();
      const mine = [token(alice, new Date(1_000)), token(alice, new Date(2_000))];
      const theirs = token(bob, new Date(3_000));
      for (const t of [...mine, theirs]) await repository().create(t);
      await repository().deleteAllOf(alice);
      await expect(repository().listFor(alice)).resolves.toEqual([]);
      await expect(repository().findByHash(mine[0].hash)).resolves.toBeNull();
      await expect(repository().listFor(bob)).resolves.toEqual([theirs]);
      await expect(repository().deleteAllOf(alice)).resolves.toBeUndefined();
    });
  });
}
