import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type FilterQuery, type Model, Types } from 'mongoose';
import type { Book, BookChanges, BookSummary, NewBook } from '../../book';
import { type BookPage, BooksRepository, type ListQuery } from '../../books.repository';
import { database, decodeKeyset, encodeKeyset } from '../persistence-helpers';
import { MongoBook } from './book.schema';
import { drivingWord, searchPrefixes } from '../../search-words';

/** Books the search backfill reads and writes at a time. */
const BACKFILL_BATCH = 500;

type Stored = MongoBook & { _id: Types.ObjectId };

/** The canonical form only (lower-case hex), so that one book has one URL; anything else names no book. */
const OBJECT_ID = /^[0-9a-f]{24}$/;

function toId(id: string): Types.ObjectId | null {
  return OBJECT_ID.test(id) ? new Types.ObjectId(id) : null;
}

/** The fields of a list entry: never the description, the longest field and one no list shows. */
const SUMMARY_FIELDS = { title: 1, author: 1, imageKey: 1, thumbnailKey: 1, createdById: 1, sortKey: 1 } as const;

function toSummary(doc: Pick<Stored, '_id' | keyof typeof SUMMARY_FIELDS>): BookSummary {
  return {
    id: doc._id.toHexString(),
    title: doc.title,
    author: doc.author,
    imageKey: doc.imageKey ?? null,
    thumbnailKey: doc.thumbnailKey ?? null,
    createdById: doc.createdById,
    sortKey: doc.sortKey,
  };
}

function toBook(doc: Stored): Book {
  const { publishedDate, description, createdBy, createdAt, updatedAt } = doc;
  return { ...toSummary(doc), publishedDate, description, createdBy, createdAt, updatedAt };
}

/** The cursor is the last book's position in the list order: `[sortKey, id]`. */
@Injectable()
export class MongoBooksRepository extends BooksRepository implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MongoBooksRepository.name);
  private backfilling: Promise<number> | undefined;
  private stopping = false;

  constructor(@InjectModel(MongoBook.name) private readonly books: Model<MongoBook>) {
    super();
  }

  /** The search backfill runs in the background: start-up does not wait for it. */
  onApplicationBootstrap(): void {
    this.backfilling = this.backfillWords().catch((error: unknown) => {
      this.logger.warn(`Search backfill stopped, to resume at the next start: ${String(error)}`);
      return 0;
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.backfilling;
  }

  /** Resolves once the start-up backfill has finished (with how many books it indexed). */
  startupBackfill(): Promise<number> {
    return this.backfilling ?? Promise.resolve(0);
  }

  /**
   * Gives the books stored before search existed their `words`, BACKFILL_BATCH at a time, and returns how
   * many. Resumable (it looks for books without `words`, through the multikey index), and exact under
   * concurrent edits: a book is written only while its title and author are still the ones read.
   */
  async backfillWords(): Promise<number> {
    let done = 0;
    while (!this.stopping) {
      const batch = await this.books
        .find({ words: { $exists: false } }, { title: 1, author: 1 })
        .limit(BACKFILL_BATCH)
        .lean<Pick<Stored, '_id' | 'title' | 'author'>[]>()
        .exec();
      if (batch.length === 0) break;
      await Promise.all(
        batch.map(({ _id, title, author }) =>
          this.books
            .updateOne(
              { _id, title, author, words: { $exists: false } },
              { $set: { words: searchPrefixes(title, author) } },
              { timestamps: false },
            )
            .exec(),
        ),
      );
      done += batch.length;
    }
    if (done > 0) this.logger.log(`Search backfill: ${done} books indexed`);
    return done;
  }

  async create(book: NewBook): Promise<Book> {
    // mongoose stores only the schema's paths (strict mode), whatever else `book` carries.
    const created = await database(() => this.books.create({ ...book, words: searchPrefixes(book.title, book.author) }));
    return toBook(created.toObject());
  }

  async findById(id: string): Promise<Book | null> {
    const key = toId(id);
    if (!key) return null;
    const doc = await database(() => this.books.findById(key).lean<Stored>().exec());
    return doc ? toBook(doc) : null;
  }

  async update(id: string, changes: BookChanges): Promise<Book | null> {
    const key = toId(id);
    if (!key) return null;
    // Only the editable fields are set, so the owner never changes; mongoose sets `updatedAt`.
    const { title, author, publishedDate, description, imageKey, thumbnailKey, sortKey } = changes;
    const doc = await database(() =>
      this.books
        .findByIdAndUpdate(
          key,
          { $set: { title, author, publishedDate, description, imageKey, thumbnailKey, sortKey, words: searchPrefixes(title, author) } },
          { new: true },
        )
        .lean<Stored>()
        .exec(),
    );
    return doc ? toBook(doc) : null;
  }

  async delete(id: string): Promise<void> {
    const key = toId(id);
    if (!key) return;
    await database(() => this.books.deleteOne({ _id: key }).exec());
  }

  /** Not kept here: list pages are rendered afresh every time. */
  async changeStamp(): Promise<null> {
    return null;
  }

  list(query: ListQuery & { whole?: false }): Promise<BookPage>;
  list(query: ListQuery & { whole: true }): Promise<BookPage<Book>>;
  async list({ createdById, after, limit, whole, words }: ListQuery): Promise<BookPage<Book | BookSummary>> {
    const position = after === undefined ? undefined : decodeKeyset(after, toId);
    const filter: FilterQuery<MongoBook> = {};
    if (createdById !== undefined) filter.createdById = createdById;
    if (words?.length) {
      // The index bounds come from the first value of $all: the longest word, which names the fewest books;
      // the index {words, sortKey, _id} (or with createdById first) then gives the list order.
      const driver = drivingWord(words);
      filter.words = { $all: [driver, ...words.filter((word) => word !== driver)] };
    }
    if (position) {
      const [sortKey, id] = position;
      filter.$or = [{ sortKey: { $gt: sortKey } }, { sortKey, _id: { $gt: id } }];
    }
    // One extra document says exactly whether another page exists.
    const docs = await database(() =>
      this.books
        .find(filter, whole ? undefined : SUMMARY_FIELDS)
        .sort({ sortKey: 1, _id: 1 })
        .limit(limit + 1)
        .lean<Stored[]>()
        .exec(),
    );
    const books = docs.slice(0, limit).map((doc) => (whole ? toBook(doc) : toSummary(doc)));
    return { books, next: docs.length > limit ? encodeKeyset(books[books.length - 1]) : null };
  }
}
