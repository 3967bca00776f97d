import { Injectable } from '@nestjs/common';
import { type CompiledQuery, type Kysely, type Selectable, sql } from 'kysely';
import type { Book, BookChanges, BookSummary, NewBook } from '../../book';
import { type BookPage, BooksRepository, type ListQuery } from '../../books.repository';
import { database, decodeKeyset, encodeKeyset } from '../persistence-helpers';
import { SqlDatabase, type SqlEngine } from '../../../database/sql/sql-database';
import type { BookChangesTable, BooksTable, BooksTables } from './sql-books.tables';
import { drivingWord, searchPrefixes } from '../../search-words';

/** Rows (seeks) of one leapfrog query at most (`SqlBooksRepository.intersect`): below MariaDB's default limit of 1,000. */
export const SEEKS_PER_QUERY = 500;

type Row = Selectable<BooksTable>;

/** SQL ids are positive integers; anything else cannot name a book. */
function toId(id: string): number | null {
  if (!/^[1-9][0-9]{0,14}$/.test(id)) return null;
  return Number(id);
}

/** The columns of a list row: never the description, the longest column and one no list shows. */
const SUMMARY_COLUMNS = ['id', 'title', 'author', 'image_key', 'thumbnail_key', 'created_by_id', 'sort_key'] as const;

function toSummary(row: Pick<Row, (typeof SUMMARY_COLUMNS)[number]>): BookSummary {
  return {
    id: String(row.id),
    title: row.title,
    author: row.author,
    imageKey: row.image_key,
    thumbnailKey: row.thumbnail_key,
    createdById: row.created_by_id,
    sortKey: row.sort_key,
  };
}

function toBook(row: Row): Book {
  return {
    ...toSummary(row),
    publishedDate: row.published_date,
    description: row.description,
    createdBy: row.created_by,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

@Injectable()
export class SqlBooksRepository extends BooksRepository {
  /** Run before every anonymous list page: built and compiled once. */
  private readonly stampQuery: CompiledQuery<Pick<BookChangesTable, 'n'>>;
  private readonly db: Kysely<BooksTables>;
  private readonly engine: SqlEngine;

  constructor(sql: SqlDatabase) {
    super();
    this.db = sql.tables<BooksTables>();
    this.engine = sql.engine;
    this.stampQuery = this.db.selectFrom('book_changes').select('n').where('id', '=', 1).compile();
  }

  async create(book: NewBook): Promise<Book> {
    const now = Date.now();
    const values = {
      title: book.title,
      author: book.author,
      published_date: book.publishedDate,
      description: book.description,
      image_key: book.imageKey,
      thumbnail_key: book.thumbnailKey,
      created_by_id: book.createdById,
      created_by: book.createdBy,
      created_at: now,
      updated_at: now,
      sort_key: book.sortKey,
    };
    const id = await this.write(async (db) => {
      const insert = db.insertInto('books').values(values);
      // PostgreSQL reports the new id only through RETURNING; MySQL only through insertId.
      const id =
        this.engine === 'postgres'
          ? Number((await insert.returning('id').executeTakeFirstOrThrow()).id)
          : Number((await insert.executeTakeFirstOrThrow()).insertId);
      await this.writeWords(db, id, book.title, book.author, book.createdById, book.sortKey);
      return id;
    });
    return toBook({ id, ...values });
  }

  async findById(id: string): Promise<Book | null> {
    const key = toId(id);
    if (key === null) return null;
    const row = await database(() => this.db.selectFrom('books').selectAll().where('id', '=', key).executeTakeFirst());
    return row ? toBook(row) : null;
  }

  async update(id: string, changes: BookChanges): Promise<Book | null> {
    const key = toId(id);
    if (key === null) return null;
    const updated = await this.write(async (db) => {
      const result = await db
        .updateTable('books')
        .set({
          title: changes.title,
          author: changes.author,
          published_date: changes.publishedDate,
          description: changes.description,
          image_key: changes.imageKey,
          thumbnail_key: changes.thumbnailKey,
          sort_key: changes.sortKey,
          updated_at: Date.now(),
        })
        .where('id', '=', key)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      // The owner never changes; the words and the sort key copied beside them do.
      const { created_by_id } = await db.selectFrom('books').select('created_by_id').where('id', '=', key).executeTakeFirstOrThrow();
      await db.deleteFrom('book_words').where('book_id', '=', key).execute();
      await this.writeWords(db, key, changes.title, changes.author, created_by_id, changes.sortKey);
      return true;
    });
    if (!updated) return null;
    return this.findById(id);
  }

  async delete(id: string): Promise<void> {
    const key = toId(id);
    if (key === null) return;
    await this.write(async (db) => {
      await db.deleteFrom('book_words').where('book_id', '=', key).execute();
      await db.deleteFrom('books').where('id', '=', key).execute();
    });
  }

  list(query: ListQuery & { whole?: false }): Promise<BookPage>;
  list(query: ListQuery & { whole: true }): Promise<BookPage<Book>>;
  async list({ createdById, after, limit, whole, words }: ListQuery): Promise<BookPage<Book | BookSummary>> {
    const position = after === undefined ? undefined : decodeKeyset(after, toId);
    if (words?.length) return this.search(words, createdById, position, limit, whole);
    const rows = await database(() => {
      const from = this.db.selectFrom('books');
      let query = whole ? from.selectAll() : from.select(SUMMARY_COLUMNS);
      if (createdById !== undefined) query = query.where('created_by_id', '=', createdById);
      if (position) {
        const [sortKey, id] = position;
        // The keyset condition of docs/architecture.md section 3. The redundant `sort_key >= ?` gives every
        // engine (PostgreSQL above all, which does not derive it from the OR) where to start in the
        // (sort_key, id) or (created_by_id, sort_key, id) index, so a deep page costs what page 1 does.
        query = query
          .where('sort_key', '>=', sortKey)
          .where((eb) => eb.or([eb('sort_key', '>', sortKey), eb.and([eb('sort_key', '=', sortKey), eb('id', '>', id)])]));
      }
      // One extra row says exactly whether another page exists.
      return query
        .orderBy('sort_key')
        .orderBy('id')
        .limit(limit + 1)
        .execute();
    });
    const books = rows.slice(0, limit).map((row) => (whole ? toBook(row as Row) : toSummary(row)));
    return { books, next: rows.length > limit ? encodeKeyset(books[books.length - 1]) : null };
  }

  /**
   * A one-word search walks `book_words` for its word in list order (the index (prefix, sort_key, book_id),
   * or (created_by_id, prefix, sort_key, book_id) for My Books) from the keyset position. More words: see
   * `intersect`.
   */
  private async search(
    words: readonly string[],
    createdById: string | undefined,
    position: [string, number] | undefined,
    limit: number,
    whole: boolean | undefined,
  ): Promise<BookPage<Book | BookSummary>> {
    let rows: (Row | Pick<Row, (typeof SUMMARY_COLUMNS)[number]>)[];
    if (words.length > 1) {
      rows = await this.intersect(words, createdById, position, limit + 1, whole);
    } else {
      rows = await database(() => {
        const from = this.db.selectFrom('book_words as w').innerJoin('books as b', 'b.id', 'w.book_id');
        let query = whole ? from.selectAll('b') : from.select(SUMMARY_COLUMNS.map((column) => `b.${column}` as const));
        query = query.where('w.prefix', '=', words[0]);
        if (createdById !== undefined) query = query.where('w.created_by_id', '=', createdById);
        if (position) {
          const [sortKey, id] = position;
          query = query
            .where('w.sort_key', '>=', sortKey)
            .where((eb) => eb.or([eb('w.sort_key', '>', sortKey), eb.and([eb('w.sort_key', '=', sortKey), eb('w.book_id', '>', id)])]));
        }
        return query
          .orderBy('w.sort_key')
          .orderBy('w.book_id')
          .limit(limit + 1)
          .execute();
      });
    }
    const books = rows.slice(0, limit).map((row) => (whole ? toBook(row as Row) : toSummary(row)));
    return { books, next: rows.length > limit ? encodeKeyset(books[books.length - 1]) : null };
  }

  /**
   * The first `wanted` books at or after the keyset position that have every word, in list order, by a
   * leapfrog intersection of the words' index entries: a position (sort_key, book_id) seeks the words in
   * turn, each to its first entry at or after it, which becomes the position; when every word in a row
   * lands on the same book, that book has them all (a result), and the walk goes on just after it. A
   * stretch of books that lacks one word costs one seek instead of a row each.
   *
   * One recursive query, one row per seek, on every engine: `sk, id` the entry found; `i` the word that
   * found it (the longest first); `prev_id, run_prev` the previous row's entry and how many words in a row
   * had it, so that `run` (how many have this one) is computed from the row's own columns rather than by
   * seeking again. At most SEEKS_PER_QUERY rows (MariaDB stops a recursion at 1,000 by default): a walk cut
   * there goes on from its last position in another query.
   */
  private async intersect(
    words: readonly string[],
    createdById: string | undefined,
    position: [string, number] | undefined,
    wanted: number,
    whole: boolean | undefined,
  ): Promise<Row[]> {
    const driver = drivingWord(words);
    const order = [driver, ...words.filter((word) => word !== driver)];
    const k = sql.lit(order.length);
    const columns = whole ? sql`b.*` : sql.join(SUMMARY_COLUMNS.map((column) => sql.ref(`b.${column}`)));
    const owner = createdById === undefined ? sql`` : sql`x.created_by_id = ${createdById} and `;
    const next = sql`case (r.i + 1) % ${k} ${sql.join(
      order.map((word, i) => sql`when ${sql.lit(i)} then ${word}`),
      sql` `,
    )} end`;
    const run = sql`(case when r.id = r.prev_id then r.run_prev + 1 else 1 end)`;
    const hit = sql`(case when ${run} = ${k} then 1 else 0 end)`;
    /** The first entry of `word` at or after (sortKey, id): its column `column`. */
    const seek = (column: 'sort_key' | 'book_id', word: unknown, sortKey: unknown, id: unknown) =>
      sql`(select x.${sql.ref(column)} from book_words x where ${owner}x.prefix = ${word} and x.sort_key >= ${sortKey}
        and (x.sort_key > ${sortKey} or x.book_id >= ${id}) order by x.sort_key, x.book_id limit 1)`;
    const found: Row[] = [];
    let [sortKey, id] = position ? [position[0], position[1] + 1] : ['', 0];
    for (;;) {
      const query = sql<Row & { walk_sk: string; walk_id: number | string; walk_n: number | string; walk_hit: number | string }>`
        with recursive walk (sk, id, i, prev_id, run_prev, hits, n) as (
          select w.sort_key, w.book_id, 0, w.book_id, 0, 0, 1 from book_words w
          where w.prefix = ${driver} and w.book_id = ${seek('book_id', driver, sortKey, id)}
          union all
          select ${seek('sort_key', next, sql`r.sk`, sql`r.id + ${hit}`)}, ${seek('book_id', next, sql`r.sk`, sql`r.id + ${hit}`)},
            (r.i + 1) % ${k}, r.id, ${run}, r.hits + ${hit}, r.n + 1
          from walk r
          where r.id is not null and r.hits + ${hit} < ${sql.lit(wanted - found.length)} and r.n < ${sql.lit(SEEKS_PER_QUERY)}
        )
        select ${columns}, r.sk as walk_sk, r.id as walk_id, r.n as walk_n, ${hit} as walk_hit
        from walk r left join books b on b.id = r.id and ${run} = ${k}
        where ${run} = ${k} or r.n = ${sql.lit(SEEKS_PER_QUERY)}
        order by r.n`;
      const { rows } = await database(() => query.execute(this.db));
      for (const { walk_sk, walk_id, walk_n, walk_hit, ...book } of rows) if (Number(walk_hit) === 1) found.push(book as Row);
      const last = rows.at(-1);
      // Cut short at SEEKS_PER_QUERY with results still wanted: go on from where it stopped.
      if (!last || Number(last.walk_n) !== SEEKS_PER_QUERY || last.walk_id === null || found.length >= wanted) return found;
      [sortKey, id] = [last.walk_sk, Number(last.walk_id) + Number(last.walk_hit)];
    }
  }

  private async writeWords(db: Kysely<BooksTables>, bookId: number, title: string, author: string, createdById: string, sortKey: string) {
    const rows = searchPrefixes(title, author).map((prefix) => ({
      book_id: bookId,
      prefix,
      created_by_id: createdById,
      sort_key: sortKey,
    }));
    if (rows.length > 0) await db.insertInto('book_words').values(rows).execute();
  }

  async changeStamp(): Promise<string> {
    const { rows } = await database(() => this.db.executeQuery(this.stampQuery));
    return String(rows[0].n);
  }

  /**
   * A write to `books` and the change counter's step, committed together: in a transaction of its own,
   * or in the caller's when this repository was made over one (the benchmark's seeder batches that way).
   */
  private write<T>(work: (db: Kysely<BooksTables>) => Promise<T>): Promise<T> {
    const counted = async (db: Kysely<BooksTables>) => {
      const result = await work(db);
      await db
        .updateTable('book_changes')
        .set((eb) => ({ n: eb('n', '+', 1) }))
        .where('id', '=', 1)
        .execute();
      return result;
    };
    const { db } = this;
    return database(() => (db.isTransaction ? counted(db) : db.transaction().execute(counted)));
  }
}
