import type { Logger } from '@nestjs/common';
import { CONNECT_TIMEOUT_MS, QUERY_TIMEOUT_MS } from '../backend-limits';

/**
 * Driver-level handles on the SQL database for libraries that take a driver's client rather than Kysely
 * (rate-limiter-flexible): a small pool of their own, with the same time budget as every other client.
 * Only this folder loads the drivers.
 */
export interface RawSqlClient<T> {
  client: T;
  close(): Promise<void>;
}

/** A second connection to the app's SQLite file (WAL mode lets it write beside the app's). */
export function rawSqliteClient(file: string): RawSqlClient<import('better-sqlite3').Database> {
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const database = new Database(file, { timeout: QUERY_TIMEOUT_MS });
  return { client: database, close: async () => void database.close() };
}

export function rawPostgresPool(url: string, logger: Logger, purpose: string): RawSqlClient<import('pg').Pool> {
  const { Pool } = require('pg') as typeof import('pg');
  const pool = new Pool({
    connectionString: url,
    max: 2,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    statement_timeout: QUERY_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (error) => logger.warn(`PostgreSQL connection for ${purpose} lost: ${error.message}`));
  return { client: pool, close: () => pool.end() };
}

export function rawMysqlPool(url: string, logger: Logger, purpose: string): RawSqlClient<import('mysql2').Pool> {
  const mysql = require('mysql2') as typeof import('mysql2');
  const pool = mysql.createPool({ uri: url, charset: 'utf8mb4', connectionLimit: 2, connectTimeout: CONNECT_TIMEOUT_MS });
  pool.on('connection', (connection) => {
    connection.on('error', (error: Error) => logger.warn(`MySQL connection for ${purpose} lost: ${error.message}`));
  });
  return { client: pool, close: () => new Promise<void>((resolve) => pool.end(() => resolve())) };
}
