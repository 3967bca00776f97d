import { Injectable } from '@nestjs/common';
import type { Kysely, Selectable } from 'kysely';
import { SqlDatabase } from '../../../database/sql/sql-database';
import type { AccessToken, TokenScope } from '../../access-token';
import { newestFirst, TokensRepository } from '../../tokens.repository';
import { database } from '../database-call';

interface AccessTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  user_name: string;
  name: string;
  scopes: string;
  prefix: string;
  /** Milliseconds since the epoch, as in every table of ours. */
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
}

interface TokensTables {
  access_tokens: AccessTokensTable;
}

function time(value: number | string | null): Date | null {
  return value === null ? null : new Date(Number(value));
}

function toToken(row: Selectable<AccessTokensTable>): AccessToken {
  return {
    id: row.id,
    hash: row.token_hash,
    userId: row.user_id,
    userName: row.user_name,
    name: row.name,
    scopes: row.scopes.split(' ').filter(Boolean) as TokenScope[],
    prefix: row.prefix,
    createdAt: time(row.created_at)!,
    lastUsedAt: time(row.last_used_at),
    expiresAt: time(row.expires_at),
  };
}

/** Tokens in the table `access_tokens` (sql-tokens.migrations.ts). */
@Injectable()
export class SqlTokensRepository extends TokensRepository {
  private readonly db: Kysely<TokensTables>;

  constructor(sql: SqlDatabase) {
    super();
    this.db = sql.tables<TokensTables>();
  }

  async create(token: AccessToken): Promise<AccessToken> {
    await database(() =>
      this.db
        .insertInto('access_tokens')
        .values({
          id: token.id,
          token_hash: token.hash,
          user_id: token.userId,
          user_name: token.userName,
          name: token.name,
          scopes: token.scopes.join(' '),
          prefix: token.prefix,
          created_at: token.createdAt.getTime(),
          last_used_at: token.lastUsedAt?.getTime() ?? null,
          expires_at: token.expiresAt?.getTime() ?? null,
        })
        .execute(),
    );
    return { ...token };
  }

  async findByHash(hash: string): Promise<AccessToken | null> {
    const row = await database(() => this.db.selectFrom('access_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst());
    return row ? toToken(row) : null;
  }

  async listFor(userId: string): Promise<AccessToken[]> {
    const rows = await database(() => this.db.selectFrom('access_tokens').selectAll().where('user_id', '=', userId).execute());
    return rows.map(toToken).sort(newestFirst);
  }

  async touch({ id }: Pick<AccessToken, 'id'>, at: Date): Promise<void> {
    await database(() => this.db.updateTable('access_tokens').set({ last_used_at: at.getTime() }).where('id', '=', id).execute());
  }

  async delete(id: string, userId: string): Promise<boolean> {
    const result = await database(() =>
      this.db.deleteFrom('access_tokens').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst(),
    );
    return Number(result.numDeletedRows) > 0;
  }

  async deleteAllOf(userId: string): Promise<void> {
    await database(() => this.db.deleteFrom('access_tokens').where('user_id', '=', userId).execute());
  }
}
