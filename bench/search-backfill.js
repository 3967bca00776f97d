'use strict';
/**
 * Times the search backfill (migration 2026-12-10-001-book-words) on a SQL database of N books stored
 * before search existed, then a few searches through the repository. Not part of `npm run bench`:
 *
 *   npx nest build && node bench/search-backfill.js --books 100000 --sql-url sqlite:/tmp/backfill.sqlite
 *
 * The database is created from scratch (a SQLite file is deleted first).
 */
const { join } = require('node:path');
const { rmSync } = require('node:fs');
const { parseArgs } = require('node:util');
const dataset = require('./lib/dataset');

const DIST = join(__dirname, '..', 'dist');
const SEARCH_MIGRATION = '2026-12-10-001-book-words';

async function main() {
  const { values } = parseArgs({
    options: {
      books: { type: 'string', default: '100000' },
      'sql-url': { type: 'string', default: 'sqlite:/tmp/bookshelf-backfill.sqlite' },
      queries: { type: 'string', default: 'river,lost river,gard,the sea' },
    },
  });
  const url = values['sql-url'];
  if (url.startsWith('sqlite:')) rmSync(url.slice('sqlite:'.length), { force: true });
  const { SqlDatabase } = require(join(DIST, 'database/sql/sql-database'));
  const { migrateToLatest } = require(join(DIST, 'database/sql/sql-migrator'));
  const { FEATURE_STORAGE } = require(join(DIST, 'app.module'));
  const { SqlBooksRepository } = require(join(DIST, 'books/persistence/sql/sql-books.repository'));
  const { sortKeyFor } = require(join(DIST, 'books/book'));
  const { queryWords } = require(join(DIST, 'books/search-words'));

  const sql = new SqlDatabase(url, { queryMs: 600_000 });
  // The schema as it was before search: every migration but the search one.
  const before = FEATURE_STORAGE.map((feature) => ({
    ...feature,
    sqlMigrations: feature.sqlMigrations
      ? (engine) => Object.fromEntries(Object.entries(feature.sqlMigrations(engine)).filter(([name]) => name !== SEARCH_MIGRATION))
      : undefined,
  }));
  await migrateToLatest(sql, before);
  const rnd = dataset.random(42);
  const count = Number(values.books);
  const now = Date.now();
  for (let i = 0; i < count; i += 500) {
    const rows = Array.from({ length: Math.min(500, count - i) }, (_, j) => {
      const title = dataset.title(rnd);
      const user = dataset.userFor((i + j) % 1000);
      return {
        title,
        author: dataset.author(rnd),
        published_date: dataset.publishedDate(rnd),
        description: dataset.description(rnd),
        image_key: null,
        thumbnail_key: null,
        created_by_id: `bench-${(i + j) % 1000}`,
        created_by: user.name,
        created_at: now,
        updated_at: now,
        sort_key: sortKeyFor(title),
      };
    });
    await sql.db.insertInto('books').values(rows).execute();
  }
  console.log(`${count} books stored without search words`);

  const started = Date.now();
  await migrateToLatest(sql, FEATURE_STORAGE);
  const ms = Date.now() - started;
  const { n } = await sql.db
    .selectFrom('book_words')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  console.log(`Backfill: ${count} books, ${n} word rows, ${ms} ms`);

  const repository = new SqlBooksRepository(sql);
  const time = async (label, work) => {
    const runs = 20;
    await work();
    const t = process.hrtime.bigint();
    let result;
    for (let i = 0; i < runs; i++) result = await work();
    console.log(`${label}: ${(Number(process.hrtime.bigint() - t) / 1e6 / runs).toFixed(2)} ms`);
    return result;
  };
  const pageOf = async (words, pages) => {
    let after;
    let page;
    for (let i = 0; i < pages; i++) {
      page = await repository.list({ limit: 10, words, after });
      if (!page.next) break;
      after = page.next;
    }
    return { page, after };
  };
  const plain20 = (await pageOf([], 19)).after;
  await time('plain list page 1', () => repository.list({ limit: 10 }));
  await time('plain list page 20', () => repository.list({ limit: 10, after: plain20 }));
  for (const q of values.queries.split(',')) {
    const words = queryWords(q);
    const { after } = await pageOf(words, 19);
    await time(`"${q}" page 1`, () => repository.list({ limit: 10, words }));
    if (after) await time(`"${q}" page 20`, () => repository.list({ limit: 10, words, after }));
    else console.log(`"${q}": fewer than 20 pages`);
  }
  await sql.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
