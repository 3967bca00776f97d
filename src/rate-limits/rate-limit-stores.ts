import type { Logger } from '@nestjs/common';
import type { Connection } from 'mongoose';
import {
  RateLimiterMemory,
  RateLimiterMongo,
  RateLimiterMySQL,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterSQLite,
} from 'rate-limiter-flexible';
import { CONNECT_TIMEOUT_MS, QUERY_TIMEOUT_MS } from '../common/backend-limits';
import { connectRedis } from '../common/redis-client';
import type { LimiterFactory } from './flexible-rate-limiter';

/** A store of counters shared by every instance, and how to let go of its client at shutdown. */
export interface LimiterStore {
  limiter: LimiterFactory;
  close(): Promise<void>;
}

/**
 * The SQL table every SQL limiter counts in; created by the SQL migrations (`rate_limits`), so that
 * instances starting together do not race to create it.
 */
const TABLE = 'rate_limits';

/**
 * Waits up to the connect budget for Redis, so that an instance does not begin by counting in memory
 * (while the client connects, commands fail at once and the insurance limiter counts); starts anyway
 * without it.
 */
export async function redisStore(url: string): Promise<LimiterStore> {
  const client = connectRedis(url, 'shared rate limits');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => client.once('ready', () => resolve())),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, CONNECT_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  return {
    limiter: (options) => new RateLimiterRedis({ ...options, storeClient: client, useRedisPackage: true }),
    close: async () => {
      if (client.isOpen) await client.close();
    },
  };
}

export function sqliteStore(file: string): LimiterStore {
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  // A connection of its own to the app's database file (WAL mode lets it write beside the app's).
  const database = new Database(file, { timeout: QUERY_TIMEOUT_MS });
  return {
    limiter: (options) =>
      new RateLimiterSQLite({ ...options, storeClient: database, storeType: 'better-sqlite3', tableName: TABLE, tableCreated: true }),
    close: async () => void database.close(),
  };
}

export function postgresStore(url: string, logger: Logger): LimiterStore {
  const { Pool } = require('pg') as typeof import('pg');
  const pool = new Pool({
    connectionString: url,
    max: 2,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    statement_timeout: QUERY_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (error) => logger.warn(`PostgreSQL connection for rate limits lost: ${error.message}`));
  return {
    limiter: (options) =>
      new RateLimiterPostgres({ ...options, storeClient: pool, storeType: 'pool', tableName: TABLE, tableCreated: true }),
    close: () => pool.end(),
  };
}

export function mysqlStore(url: string, logger: Logger): LimiterStore {
  const mysql = require('mysql2') as typeof import('mysql2');
  const pool = mysql.createPool({ uri: url, charset: 'utf8mb4', connectionLimit: 2, connectTimeout: CONNECT_TIMEOUT_MS });
  pool.on('connection', (connection) => {
    connection.on('error', (error: Error) => logger.warn(`MySQL connection for rate limits lost: ${error.message}`));
  });
  const dbName = decodeURIComponent(new URL(url).pathname.slice(1));
  return {
    limiter: (options) =>
      new RateLimiterMySQL({ ...options, storeClient: pool, storeType: 'pool', dbName, tableName: TABLE, tableCreated: true }),
    close: () => new Promise<void>((resolve) => pool.end(() => resolve())),
  };
}

/** Counts in the data backend's MongoDB database, through the books module's connection. */
export function mongoStore(connection: Connection): LimiterStore {
  return {
    limiter: (options) =>
      new RateLimiterMongo({ ...options, storeClient: connection.getClient(), dbName: connection.name, tableName: 'rate_limits' }),
    close: async () => undefined,
  };
}

/** Per instance only: for a backend no shared limiter supports (Datastore without Redis). */
export function memoryStore(): LimiterStore {
  return { limiter: (options) => new RateLimiterMemory(options), close: async () => undefined };
}
