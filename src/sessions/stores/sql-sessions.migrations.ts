import type { Kysely, Migration } from 'kysely';
import type { SqlEngine } from '../../database/sql/sql-database';
import { sqlTypes } from '../../database/sql/sql-types';

export interface SessionsTable {
  sid: string;
  /** Milliseconds since the epoch. */
  expires_at: number;
  data: string;
  /** The signed-in user's id (`passport.user.id` in `data`), null for nobody signed in; indexed. */
  user_id: string | null;
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
    // The index of UserSessions; rows written before it get their user from their JSON data.
    '2026-12-02-005-sessions-user': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('sessions').addColumn('user_id', 'varchar(255)').execute();
        await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();
        await backfillSessionUsers(db as Kysely<SessionsTables>);
      },
    },
  };
}

/** Rows read per statement by the backfill. */
const BACKFILL_BATCH = 500;

/**
 * Sets `user_id` of every unexpired signed-in session from its data, a batch at a time in `sid` order (the
 * primary key), in JavaScript: the same on every engine, whatever its JSON functions.
 */
async function backfillSessionUsers(db: Kysely<SessionsTables>): Promise<void> {
  const now = Date.now();
  let after: string | null = null;
  for (;;) {
    let query = db.selectFrom('sessions').select(['sid', 'data']).where('expires_at', '>', now).orderBy('sid').limit(BACKFILL_BATCH);
    if (after !== null) query = query.where('sid', '>', after);
    const rows = await query.execute();
    for (const { sid, data } of rows) {
      const userId = userIdIn(data);
      if (userId !== null) await db.updateTable('sessions').set({ user_id: userId }).where('sid', '=', sid).execute();
    }
    if (rows.length < BACKFILL_BATCH) return;
    after = rows[rows.length - 1].sid;
  }
}

/** `passport.user.id` of a session's JSON, or null; written out here, so that the migration never changes. */
function userIdIn(json: string): string | null {
  try {
    const id = (JSON.parse(json) as { passport?: { user?: { id?: unknown } } } | null)?.passport?.user?.id;
    return typeof id === 'string' && id !== '' ? id : null;
  } catch {
    return null;
  }
}
