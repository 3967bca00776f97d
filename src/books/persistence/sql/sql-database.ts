import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { type Dialect, Kysely, MysqlDialect, PostgresDialect, sql, SqliteDialect } from 'kysely';
import type { SqlSchema } from './sql-schema';

export type SqlEngine = 'sqlite' | 'postgres' | 'mysql';

/** Client defaults wait forever; ARCHITECTURE.md section 4 wants a fast 503 instead. */
export const CONNECT_TIMEOUT_MS = 1000;
export const QUERY_TIMEOUT_MS = 2000;

const logger = new Logger('SqlDatabase');

export function sqlEngineOf(url: string): SqlEngine {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  if (url.startsWith('mysql://')) return 'mysql';
  throw new Error(`Unsupported SQL_URL scheme: ${url.split(':')[0]}`);
}

const dialects: Record<SqlEngine, (url: string) => Dialect> = {
  sqlite(url) {
    // Loaded lazily so that deployments on PostgreSQL or MySQL never load the native module.
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
    const database = new Database(file, { timeout: QUERY_TIMEOUT_MS });
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    return new SqliteDialect({ database });
  },
  postgres(url) {
    const { Pool } = require('pg') as typeof import('pg');
    const pool = new Pool({
      connectionString: url,
      max: 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      statement_timeout: QUERY_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its connection emits here; without a handler the process would crash.
    pool.on('error', (error) => logger.warn(`PostgreSQL pool: ${error.message}`));
    return new PostgresDialect({ pool });
  },
  mysql(url) {
    const mysql = require('mysql2') as typeof import('mysql2');
    const pool = mysql.createPool({
      uri: url,
      charset: 'utf8mb4',
      connectionLimit: 10,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Dates are stored as epoch milliseconds; keep big integers as numbers.
      supportBigNumbers: true,
      bigNumberStrings: false,
    });
    pool.on('connection', (connection) => {
      connection.on('error', (error: Error) => logger.warn(`MySQL connection: ${error.message}`));
    });
    return new MysqlDialect({ pool: pool as never });
  },
};

/** One Kysely instance over the configured engine; the SQL adapter's only handle on the database. */
export class SqlDatabase {
  readonly engine: SqlEngine;
  readonly db: Kysely<SqlSchema>;

  constructor(url: string) {
    this.engine = sqlEngineOf(url);
    this.db = new Kysely<SqlSchema>({ dialect: dialects[this.engine](url) });
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
