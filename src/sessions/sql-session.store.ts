import { Logger } from '@nestjs/common';
import { Store, type SessionData } from 'express-session';
import type { SqlDatabase } from '../books/persistence/sql/sql-database';
import { expiryOf, SESSION_PRUNE_INTERVAL_MS, SESSION_TOUCH_INTERVAL_MS } from './session-lifetime';

type Callback<T = void> = (error?: unknown, value?: T) => void;

/**
 * express-session store in the books database's `sessions` table (every SQL engine, through Kysely).
 * Expired rows are ignored on read and pruned on a timer that never keeps the process alive.
 */
export class SqlSessionStore extends Store {
  private readonly logger = new Logger(SqlSessionStore.name);
  private readonly pruner: NodeJS.Timeout;

  constructor(private readonly sql: SqlDatabase) {
    super();
    this.pruner = setInterval(() => void this.prune(), SESSION_PRUNE_INTERVAL_MS).unref();
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    this.run(callback, async () => {
      const row = await this.sql.db
        .selectFrom('sessions')
        .select(['data', 'expires_at'])
        .where('sid', '=', sid)
        .executeTakeFirst();
      if (!row || Number(row.expires_at) <= Date.now()) return null;
      return JSON.parse(row.data) as SessionData;
    });
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    this.run(callback, async () => {
      const row = { sid, expires_at: expiryOf(session), data: JSON.stringify(session) };
      const existing = await this.sql.db
        .updateTable('sessions')
        .set({ expires_at: row.expires_at, data: row.data })
        .where('sid', '=', sid)
        .executeTakeFirst();
      if (Number(existing.numUpdatedRows) === 0) {
        await this.sql.db.insertInto('sessions').values(row).execute();
      }
    });
  }

  override destroy(sid: string, callback?: Callback): void {
    this.run(callback, async () => {
      await this.sql.db.deleteFrom('sessions').where('sid', '=', sid).execute();
    });
  }

  /** Slides the expiry, but writes only when the stored one is more than the touch interval old. */
  override touch(sid: string, session: SessionData, callback?: () => void): void {
    const expiresAt = expiryOf(session);
    this.run(callback as Callback, async () => {
      await this.sql.db
        .updateTable('sessions')
        .set({ expires_at: expiresAt })
        .where('sid', '=', sid)
        .where('expires_at', '<', expiresAt - SESSION_TOUCH_INTERVAL_MS)
        .execute();
    });
  }

  async prune(now = Date.now()): Promise<void> {
    try {
      await this.sql.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
    } catch (error) {
      this.logger.warn(`Could not prune sessions: ${String(error)}`);
    }
  }

  close(): void {
    clearInterval(this.pruner);
  }

  private run<T>(callback: Callback<T> | undefined, work: () => Promise<T>): void {
    work().then(
      (value) => callback?.(null, value),
      (error: unknown) => callback?.(error),
    );
  }
}
