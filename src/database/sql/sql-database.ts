import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { type Dialect, Kysely, MysqlDialect, PostgresDialect, sql, SqliteDialect } from 'kysely';
import { CONNECT_TIMEOUT_MS, QUERY_TIMEOUT_MS } from '../backend-limits';
import { mysqlPool, type PoolLimits, postgresPool } from './sql-pools';
import { withStatementCache } from './sqlite-statements';

export type SqlEngine = 'sqlite' | 'postgres' | 'mysql';

const logger = new Logger('SqlDatabase');

export function sqlEngineOf(url: string): SqlEngine {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  if (url.startsWith('mysql://')) return 'mysql';
  throw new Error(`Unsupported SQL_URL scheme: ${url.split(':')[0]}`);
}

const dialects: Record<SqlEngine, (url: string, limits: PoolLimits) => Dialect> = {
  sqlite(url, { queryMs }) {
    // Loaded lazily so that deployments on PostgreSQL or MySQL never load the native module.
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
    const database = new Database(file, { timeout: queryMs });
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    return new SqliteDialect({ database: withStatementCache(database) });
  },
  postgres: (url, limits) => new PostgresDialect({ pool: postgresPool(url, limits) }),
  mysql: (url, limits) => new MysqlDialect({ pool: mysqlPool(url, limits) }),
};

/** No tables of its own: each feature types the tables it owns with `tables<T>()`. */
type NoTables = Record<never, never>;

/**
 * One Kysely instance over the configured engine: every SQL adapter's only handle on the database
 * (books, session store); opened by DatabaseModule, which also runs every feature's migrations.
 */
export class SqlDatabase {
  readonly engine: SqlEngine;
  readonly db: Kysely<NoTables>;

  /** `queryMs` is for serving pages; migrations pass a longer one. */
  constructor(url: string, { queryMs = QUERY_TIMEOUT_MS } = {}) {
    this.engine = sqlEngineOf(url);
    this.db = new Kysely<NoTables>({ dialect: dialects[this.engine](url, { connectMs: CONNECT_TIMEOUT_MS, queryMs, logger }) });
  }

  /** The same connection, typed with a feature's own tables. */
  tables<T extends object>(): Kysely<T> {
    // Types only: the connection is the same whatever tables a feature declares.
    return this.db as unknown as Kysely<T>;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
