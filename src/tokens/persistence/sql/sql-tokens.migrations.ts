import type { Kysely, Migration } from 'kysely';
import type { SqlEngine } from '../../../database/sql/sql-database';
import { sqlTypes } from '../../../database/sql/sql-types';

/** The tokens feature's table, by migration name (registered in tokens-storage.ts). */
export function tokensMigrations(engine: SqlEngine): Record<string, Migration> {
  const t = sqlTypes(engine);
  return {
    '2026-12-10-001-access-tokens': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('access_tokens')
          .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
          .addColumn('token_hash', 'char(64)', (c) => c.notNull().unique())
          .addColumn('user_id', 'varchar(255)', (c) => c.notNull())
          .addColumn('user_name', t.text, (c) => c.notNull())
          .addColumn('name', 'varchar(100)', (c) => c.notNull())
          // Space-separated, from a fixed list.
          .addColumn('scopes', 'varchar(100)', (c) => c.notNull())
          .addColumn('prefix', 'varchar(16)', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_used_at', 'bigint')
          .addColumn('expires_at', 'bigint')
          .modifyEnd(t.utf8mb4)
          .execute();
        await db.schema.createIndex('access_tokens_user_id').on('access_tokens').columns(['user_id', 'created_at']).execute();
      },
    },
  };
}
