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
import type { FeatureStorage } from '../../database/feature-storage';
import { CONNECT_TIMEOUT_MS } from '../../database/backend-limits';
import { rawMysqlPool, rawPostgresPool, rawSqliteClient } from '../../database/sql/raw-sql-clients';
import type { LimiterFactory } from '../flexible-rate-limiter';
import { rateLimitsMigrations } from './sql-rate-limits.migrations';

/**
 * What the rate limits keep in the data backend: the SQL `rate_limits` table (rate-limiter-flexible's
 * MongoDB limiter makes its own `rate_limits` collection and indexes), registered in app.module.ts.
 */
export const RATE_LIMITS_STORAGE: FeatureStorage = { feature: 'rate limits', sqlMigrations: rateLimitsMigrations };

/** A store of counters shared by every instance, and how to let go of its client at shutdown. */
export interface LimiterStore {
  limiter: LimiterFactory;
  close(): Promise<void>;
}

/** The SQL table every SQL limiter counts in (created by the migration above). */
const TABLE = 'rate_limits';
const PURPOSE = 'rate limits';

/**
 * Waits up to the connect budget for Redis, so that an instance does not begin by counting in memory
 * (while the client connects, commands fail at once and the insurance limiter counts); starts anyway
 * without it.
 */
export async function redisStore(url: string): Promise<LimiterStore> {
  // Loaded only when chosen: node-redis takes a few hundred milliseconds of start-up to load.
  const { connectRedis } = require('../../database/redis-client') as typeof import('../../database/redis-client');
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
  const { client, close } = rawSqliteClient(file);
  return {
    limiter: (options) =>
      new RateLimiterSQLite({ ...options, storeClient: client, storeType: 'better-sqlite3', tableName: TABLE, tableCreated: true }),
    close,
  };
}

export function postgresStore(url: string, logger: Logger): LimiterStore {
  const { client, close } = rawPostgresPool(url, logger, PURPOSE);
  return {
    limiter: (options) =>
      new RateLimiterPostgres({ ...options, storeClient: client, storeType: 'pool', tableName: TABLE, tableCreated: true }),
    close,
  };
}

export function mysqlStore(url: string, logger: Logger): LimiterStore {
  const { client, close } = rawMysqlPool(url, logger, PURPOSE);
  const dbName = decodeURIComponent(new URL(url).pathname.slice(1));
  return {
    limiter: (options) =>
      new RateLimiterMySQL({ ...options, storeClient: client, storeType: 'pool', dbName, tableName: TABLE, tableCreated: true }),
    close,
  };
}

/** Counts in the data backend's MongoDB database, through DatabaseModule's connection. */
export function mongoStore(connection: Connection): LimiterStore {
  return {
    limiter: (options) =>
      new RateLimiterMongo({ ...options, storeClient: connection.getClient(), dbName: connection.name, tableName: TABLE }),
    close: async () => undefined,
  };
}

/** Per instance only: for a backend no shared limiter supports (Datastore without Redis). */
export function memoryStore(): LimiterStore {
  return { limiter: (options) => new RateLimiterMemory(options), close: async () => undefined };
}
