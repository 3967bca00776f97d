import { Injectable } from '@nestjs/common';
import type { CompiledQuery, Kysely, Selectable } from 'kysely';
import type { Book, BookChanges, BookSummary, NewBook } from '../../book';
import { type BookPage, BooksRepository, type ListQuery } from '../../books.repository';
import { database, decodeKeyset, encodeKeyset } from '../persistence-helpers';
import { SqlDatabase, type SqlEngine } from '../../../database/sql/sql-database';
import type { BookChangesTable, BooksTable, BooksTables } from './sql-books.tables';
import { drivingWord, searchPrefixes } from '../../search-words';

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
   * A search walks `book_words` for the longest query word in list order (the index (prefix, sort_key,
   * book_id), or (created_by_id, prefix, sort_key, book_id) for My Books) from the keyset position, and
   * keeps the books that also have every other word (the primary key (book_id, prefix)).
   */
  private async search(
    words: readonly string[],
    createdById: string | undefined,
    position: [string, number] | undefined,
    limit: number,
    whole: boolean | undefined,
  ): Promise<BookPage<Book | BookSummary>> {
    const driver = drivingWord(words);
    const others = words.filter((word) => word !== driver);
    const rows = await database(() => {
      const from = this.db.selectFrom('book_words as w').innerJoin('books as b', 'b.id', 'w.book_id');
      let query = whole ? from.selectAll('b') : from.select(SUMMARY_COLUMNS.map((column) => `b.${column}` as const));
      query = query.where('w.prefix', '=', driver);
      if (createdById !== undefined) query = query.where('w.created_by_id', '=', createdById);
      if (position) {
        const [sortKey, id] = position;
        query = query
          .where('w.sort_key', '>=', sortKey)
          .where((eb) => eb.or([eb('w.sort_key', '>', sortKey), eb.and([eb('w.sort_key', '=', sortKey), eb('w.book_id', '>', id)])]));
      }
      for (const word of others) {
        query = query.where(({ exists, selectFrom }) =>
          exists(selectFrom('book_words as x').select('x.book_id').whereRef('x.book_id', '=', 'w.book_id').where('x.prefix', '=', word)),
        );
      }
      return query
        .orderBy('w.sort_key')
        .orderBy('w.book_id')
        .limit(limit + 1)
        .execute();
    });
    const books = rows.slice(0, limit).map((row) => (whole ? toBook(row as Row) : toSummary(row)));
    return { books, next: rows.length > limit ? encodeKeyset(books[books.length - 1]) : null };
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
