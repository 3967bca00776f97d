import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { MAX_CACHED_STATEMENTS, withStatementCache } from './sqlite-statements';

describe(withStatementCache.name, () => {
  let database: Database.Database;
  let prepared: string[];

  beforeEach(() => {
    database = new Database(':memory:');
    prepared = [];
    const prepare = database.prepare.bind(database);
    database.prepare = ((text: string) => {
      prepared.push(text);
      return prepare(text);
    }) as typeof database.prepare;
  });

  afterEach(() => database.close());

  it('prepares each statement once and reuses it with new parameters', async () => {
    const db = new Kysely<{ t: { n: number } }>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
    await sql`create table t (n integer)`.execute(db);
    for (const n of [1, 2, 3]) await db.insertInto('t').values({ n }).execute();

    await expect(db.selectFrom('t').select('n').where('n', '>', 1).orderBy('n').execute()).resolves.toEqual([{ n: 2 }, { n: 3 }]);
    await expect(db.selectFrom('t').select('n').where('n', '>', 2).orderBy('n').execute()).resolves.toEqual([{ n: 3 }]);

    expect(prepared.filter((text) => text.startsWith('insert'))).toHaveLength(1);
    expect(prepared.filter((text) => text.startsWith('select'))).toHaveLength(1);
    await db.destroy();
  });

  it('keeps answering correctly after a schema change', async () => {
    const db = new Kysely<{ t: { n: number; m?: number } }>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
    await sql`create table t (n integer)`.execute(db);
    await db.insertInto('t').values({ n: 1 }).execute();
    await expect(db.selectFrom('t').selectAll().execute()).resolves.toEqual([{ n: 1 }]);

    await sql`alter table t add column m integer default 7`.execute(db);

    await expect(db.selectFrom('t').selectAll().execute()).resolves.toEqual([{ n: 1, m: 7 }]);
    await db.destroy();
  });

  it('stops caching beyond its bound but still runs every statement', () => {
    const cached = withStatementCache(database);
    for (let i = 0; i < MAX_CACHED_STATEMENTS + 10; i++) cached.prepare(`select ${i}`);
    cached.prepare('select 0');
    cached.prepare(`select ${MAX_CACHED_STATEMENTS + 5}`);

    expect(prepared.filter((text) => text === 'select 0')).toHaveLength(1);
    expect(prepared.filter((text) => text === `select ${MAX_CACHED_STATEMENTS + 5}`)).toHaveLength(2);
  });
});
