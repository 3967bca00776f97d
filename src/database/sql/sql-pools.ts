import type { Logger } from '@nestjs/common';
import type {
  MysqlPool,
  MysqlPoolConnection,
  MysqlQueryResult,
  MysqlStream,
  PostgresCursor,
  PostgresPool,
  PostgresPoolClient,
  PostgresQueryResult,
} from 'kysely';
import type { Pool as PgPool, PoolClient } from 'pg';
import type { Pool as MysqlDriverPool, PoolConnection as MysqlDriverConnection } from 'mysql2';

/**
 * Connection pools for Kysely's PostgreSQL and MySQL dialects, with the limits docs/architecture.md section 4
 * asks for: a connection (or a free slot in the pool) within `connectMs`, an answer within `queryMs`,
 * and an `error` handler on every pool and connection. A connection whose query failed is thrown away
 * instead of being reused: after a timeout it may still be busy with the abandoned query, and after a
 * lost server it is dead. The next request opens a fresh one, which is how the app recovers by itself.
 */
export interface PoolLimits {
  connectMs: number;
  queryMs: number;
  logger: Logger;
}

export function postgresPool(url: string, { connectMs, queryMs, logger }: PoolLimits): PostgresPool {
  const { Pool, TypeOverrides, types } = require('pg') as typeof import('pg');
  // bigint columns (ids, epoch milliseconds) stay far below 2^53: read them as numbers, as on the other engines.
  const parsers = new TypeOverrides();
  parsers.setTypeParser(types.builtins.INT8, Number);
  const pool: PgPool = new Pool({
    connectionString: url,
    max: 10,
    // Also bounds the wait for a free client when all ten are busy.
    connectionTimeoutMillis: connectMs,
    // Client side (a server that stops answering) and server side (the server stops the work too).
    query_timeout: queryMs,
    statement_timeout: queryMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    types: parsers,
  });
  // An idle client losing its connection emits here, a checked-out one on itself (see below); an `error`
  // event without a listener would crash the process.
  const lost = (error: Error) => logger.warn(`PostgreSQL connection lost: ${error.message}`);
  pool.on('error', lost);
  return {
    connect: async () => new DiscardingPostgresClient(await pool.connect(), lost),
    end: () => pool.end(),
  };
}

class DiscardingPostgresClient implements PostgresPoolClient {
  private failed = false;
  private readonly onError = (error: Error) => {
    this.failed = true;
    this.lost(error);
  };

  constructor(
    private readonly client: PoolClient,
    private readonly lost: (error: Error) => void,
  ) {
    // pg-pool listens for errors only on idle clients. A server that ends the connection between two
    // queries of a checked-out client (a restart, a failover) would otherwise crash the process.
    client.on('error', this.onError);
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sql: string | PostgresCursor<R>, parameters: ReadonlyArray<unknown> = []): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sql !== 'string') throw new Error('Cursors are not used by this application');
    return this.client.query(sql, [...parameters]).then(
      (result) => result as unknown as PostgresQueryResult<R>,
      (error: unknown) => {
        this.failed = true;
        throw error;
      },
    );
  }

  release(destroy = false): void {
    this.client.off('error', this.onError);
    this.client.release(this.failed || destroy);
  }
}

export function mysqlPool(url: string, { connectMs, queryMs, logger }: PoolLimits): MysqlPool {
  const mysql = require('mysql2') as typeof import('mysql2');
  const pool: MysqlDriverPool = mysql.createPool({
    uri: url,
    // Explicit options win over the URL's: every connection speaks utf8mb4 (emoji included).
    charset: 'utf8mb4',
    connectionLimit: 10,
    connectTimeout: connectMs,
    enableKeepAlive: true,
    // Dates are stored as epoch milliseconds; keep big integers as numbers.
    supportBigNumbers: true,
    bigNumberStrings: false,
  });
  pool.on('connection', (connection) => {
    connection.on('error', (error: Error) => logger.warn(`MySQL connection lost: ${error.message}`));
  });
  return {
    // mysql2 waits for a free connection without limit; give up after `connectMs` like pg does.
    getConnection(callback) {
      let answered = false;
      const timer = setTimeout(() => {
        answered = true;
        callback(new Error(`No MySQL connection within ${connectMs} ms`), undefined as never);
      }, connectMs);
      pool.getConnection((error, connection) => {
        clearTimeout(timer);
        if (answered) return connection?.release();
        answered = true;
        callback(error, error ? (undefined as never) : new TimedMysqlConnection(connection, queryMs));
      });
    },
    end: (callback) => pool.end(callback),
  };
}

/** mysql2 has no pool-wide query timeout, only a per-query one: every query passes it. */
class TimedMysqlConnection implements MysqlPoolConnection {
  private failed = false;

  constructor(
    private readonly connection: MysqlDriverConnection,
    private readonly queryMs: number,
  ) {}

  query(sql: string, parameters: unknown[]): { stream: <T>() => MysqlStream<T> };
  query(sql: string, parameters: unknown[], callback: (error: unknown, result: MysqlQueryResult) => void): void;
  query(
    sql: string,
    parameters: unknown[],
    callback?: (error: unknown, result: MysqlQueryResult) => void,
  ): void | { stream: <T>() => MysqlStream<T> } {
    if (!callback) throw new Error('Streaming queries are not used by this application');
    this.connection.query({ sql, values: parameters, timeout: this.queryMs }, (error, result) => {
      if (error) this.failed = true;
      callback(error, result as MysqlQueryResult);
    });
  }

  release(): void {
    if (!this.failed) return this.connection.release();
    this.connection.destroy();
    // mysql2's destroy() only half-closes the socket, which stays open while the server is busy with the
    // abandoned query or does not answer at all. Close it now.
    (this.connection as unknown as { stream?: { destroy(): void } }).stream?.destroy();
  }
}
