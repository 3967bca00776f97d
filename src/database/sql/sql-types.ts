import { type RawBuilder, sql } from 'kysely';
import type { SqlEngine } from './sql-database';

/** Column types and table options that differ between engines; everything else is the same DDL everywhere. */
export interface SqlTypes {
  /** 64-bit ids everywhere, so that any id a repository accepts (up to 15 digits) is a valid key. */
  id: 'integer' | 'bigserial' | 'bigint';
  text: 'text';
  /** Bytewise order on every engine: "C" in PostgreSQL, utf8mb4_bin in MySQL, BINARY (the default) in SQLite. */
  bytewise: RawBuilder<unknown>;
  /** Table option for MySQL: every text column utf8mb4 (emoji included) compared bytewise. */
  utf8mb4: RawBuilder<unknown>;
}

const types: Record<SqlEngine, SqlTypes> = {
  sqlite: { id: 'integer', text: 'text', bytewise: sql``, utf8mb4: sql`` },
  postgres: { id: 'bigserial', text: 'text', bytewise: sql`collate "C"`, utf8mb4: sql`` },
  mysql: {
    id: 'bigint',
    text: 'text',
    bytewise: sql`character set utf8mb4 collate utf8mb4_bin`,
    utf8mb4: sql`default character set utf8mb4 collate utf8mb4_bin`,
  },
};

export function sqlTypes(engine: SqlEngine): SqlTypes {
  return types[engine];
}
