import type { Kysely, Migration } from 'kysely';
import type { SqlEngine } from '../../database/sql/sql-database';
import { sqlTypes } from '../../database/sql/sql-types';

export interface SessionsTable {
  sid: string;
  /** Milliseconds since the epoch. */
  expires_at: number;
  data: string;
}

/** The SQL tables the session store owns. */
export interface SessionsTables {
  sessions: SessionsTable;
}

/** The SQL session store's table, by migration name (registered in session-stores.ts). */
export function sessionsMigrations(engine: SqlEngine): Record<string, Migration> {
  const t = sqlTypes(engine);
  return {
    '2026-11-25-002-sessions': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('sessions')
          .addColumn('sid', 'varchar(255)', (c) => c.primaryKey())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('data', t.text, (c) => c.notNull())
          .modifyEnd(t.utf8mb4)
          .execute();
        await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();
      },
    },
  };
}
