import { Logger } from '@nestjs/common';
import { Store, type SessionData } from 'express-session';
import type { CompiledQuery, Kysely } from 'kysely';
import { BoundedMap } from '../../common/bounded-map';
import type { SqlDatabase, SqlEngine } from '../../database/sql/sql-database';
import { expiryOf, SESSION_PRUNE_INTERVAL_MS, SESSION_TOUCH_INTERVAL_MS } from '../session-lifetime';
import type { StoredSession, UserSessions } from '../user-sessions';
import { signedInUserOf } from './signed-in-user';
import type { SessionsTable, SessionsTables } from './sql-sessions.migrations';

type Callback<T = void> = (error?: unknown, value?: T) => void;
type StoredRow = Pick<SessionsTable, 'data' | 'expires_at'>;

/** Sessions whose stored expiry this store remembers; a session it has forgotten is touched with a statement. */
export const REMEMBERED_EXPIRIES = 10_000;
/** Session ids deleted per statement by `end` (well below every engine's limit of bound parameters). */
const END_BATCH = 500;

/**
 * express-session store in the SQL database's `sessions` table (every SQL engine, through Kysely, so
 * with the same connect and query timeouts as the books: an unreachable database is a fast 503).
 * An expired row is never returned, and is deleted by a prune timer that never keeps the process alive.
 * The expiry it last read or wrote for a session is remembered, so that the touch at the end of almost
 * every signed-in request (the stored expiry is less than an hour old) needs no statement at all.
 * It is also the UserSessions index: each row carries its signed-in user's id (`user_id`, indexed), so a
 * person's sessions go with their rows.
 */
export class SqlSessionStore extends Store implements UserSessions {
  private readonly logger = new Logger(SqlSessionStore.name);
  private readonly pruner: NodeJS.Timeout;
  private readonly expiries = new BoundedMap<string, number>(REMEMBERED_EXPIRIES);

  private readonly db: Kysely<SessionsTables>;
  private readonly engine: SqlEngine;
  /** Run at the start of every signed-in request: built and compiled once, run with the session id as its one parameter. */
  private readonly readQuery: CompiledQuery<StoredRow>;

  constructor(sql: SqlDatabase) {
    super();
    this.db = sql.tables<SessionsTables>();
    this.engine = sql.engine;
    this.readQuery = this.db.selectFrom('sessions').select(['data', 'expires_at']).where('sid', '=', '').compile();
    this.pruner = setInterval(() => void this.prune(), SESSION_PRUNE_INTERVAL_MS).unref();
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    this.run(callback, async () => {
      const { rows } = await this.db.executeQuery<StoredRow>({ ...this.readQuery, parameters: [sid] });
      const row = rows[0];
      if (!row || Number(row.expires_at) <= Date.now()) return null;
      this.expiries.set(sid, Number(row.expires_at));
      return JSON.parse(row.data) as SessionData;
    });
  }

  /** One statement (an upsert), so two first requests of a new session cannot collide. */
  override set(sid: string, session: SessionData, callback?: Callback): void {
    this.run(callback, async () => {
      const changes = { expires_at: expiryOf(session), data: JSON.stringify(session), user_id: signedInUserOf(session) };
      const insert = this.db.insertInto('sessions').values({ sid, ...changes });
      await (
        this.engine === 'mysql'
          ? insert.onDuplicateKeyUpdate(changes)
          : insert.onConflict((conflict) => conflict.column('sid').doUpdateSet(changes))
      ).execute();
      this.expiries.set(sid, changes.expires_at);
    });
  }

  override destroy(sid: string, callback?: Callback): void {
    this.expiries.delete(sid);
    this.run(callback, async () => {
      await this.db.deleteFrom('sessions').where('sid', '=', sid).execute();
    });
  }

  /**
   * Slides the expiry, but writes only when the stored one is more than the touch interval behind; with
   * `user_id` (the session is unchanged when touched), as `set` writes it.
   */
  override touch(sid: string, session: SessionData, callback?: (error?: unknown) => void): void {
    const expiresAt = expiryOf(session);
    const stored = this.expiries.get(sid);
    if (stored !== undefined && stored >= expiresAt - SESSION_TOUCH_INTERVAL_MS) return void callback?.();
    this.run(callback, async () => {
      await this.db
        .updateTable('sessions')
        .set({ expires_at: expiresAt, user_id: signedInUserOf(session) })
        .where('sid', '=', sid)
        .where('expires_at', '<', expiresAt - SESSION_TOUCH_INTERVAL_MS)
        .execute();
      // At least this; another instance may have slid it further, which only costs a later no-op statement.
      this.expiries.set(sid, expiresAt);
    });
  }

  async sessionsOf(userId: string): Promise<StoredSession[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .select(['sid', 'data', 'expires_at'])
      .where('user_id', '=', userId)
      .where('expires_at', '>', Date.now())
      .execute();
    return rows.map((row) => ({ id: row.sid, data: JSON.parse(row.data) as SessionData, expiresAt: new Date(Number(row.expires_at)) }));
  }

  async end(sessionIds: readonly string[]): Promise<void> {
    for (const sid of sessionIds) this.expiries.delete(sid);
    for (let i = 0; i < sessionIds.length; i += END_BATCH) {
      await this.db
        .deleteFrom('sessions')
        .where('sid', 'in', sessionIds.slice(i, i + END_BATCH))
        .execute();
    }
  }

  /** Deletes expired sessions; the timer calls it, tests may too. */
  async prune(now = Date.now()): Promise<void> {
    try {
      await this.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
    } catch (error) {
      this.logger.warn(`Could not prune expired sessions: ${String(error)}`);
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
