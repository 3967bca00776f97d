import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** More distinct statements than the app has; bounds the memory a stream of one-off queries could take. */
export const MAX_CACHED_STATEMENTS = 200;

/**
 * Kysely's SQLite dialect prepares every query it runs. Compiling a statement costs about as much as
 * running a list query, and the app runs a handful of different statements, so each is prepared once
 * and reused. Safe because better-sqlite3 is synchronous and Kysely runs one query at a time on its
 * single connection (the app never iterates a statement), and SQLite re-prepares a statement by itself
 * after a schema change.
 */
export function withStatementCache(database: SqliteDatabase): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        if (statements.size < MAX_CACHED_STATEMENTS) statements.set(sql, statement);
      }
      return statement;
    },
  };
}
