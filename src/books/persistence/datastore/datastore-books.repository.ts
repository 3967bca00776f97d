import { type Datastore, type Key, PropertyFilter, type Query } from '@google-cloud/datastore';
import type { RunQueryResponse } from '@google-cloud/datastore/build/src/query';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BackendUnavailable, InvalidPageToken } from '../../../common/domain-errors';
import type { Book, BookChanges, NewBook } from '../../book';
import { type BookPage, BooksRepository, type ListQuery } from '../../books.repository';
import { DATASTORE_CLIENT } from '../../../database/database-clients';
import { database, decodeKeyset, encodeKeyset } from '../persistence-helpers';
import { drivingWord, searchPrefixes } from '../../search-words';
import { DATASTORE_CALL, GRPC_INVALID_ARGUMENT, GRPC_NOT_FOUND, grpcCode } from '../../../database/datastore/datastore-client';

const KIND = 'Book';
/** One entity (key name `words`) that remembers how far the search backfill got, and when it finished. */
export const BACKFILL_KIND = 'BookSearchBackfill';
/** Books the search backfill reads and writes at a time (one transaction: at most 500 mutations). */
const BACKFILL_BATCH = 200;
/** Entities a search reads at a time while it filters the words other than the driving one. */
const SEARCH_BATCH = 100;

/**
 * Stored properties: the Book without its id, which is the key's, and the search prefixes
 * (`searchPrefixes(title, author)`, a repeated indexed property; missing until the backfill on a book
 * stored before search existed).
 */
type BookEntity = Omit<Book, 'id'> & { words?: string[] };

interface BackfillEntity {
  /** The id of the last book the backfill went through, or '' before the first batch. */
  after: string;
  done: boolean;
}

/**
 * Only `sortKey` and `createdById` are queried; every other property stays out of the built-in
 * indexes (cheaper writes, and `description` may exceed the 1,500-byte limit of an indexed string).
 */
const UNINDEXED: (keyof BookEntity)[] = [
  'title',
  'author',
  'publishedDate',
  'description',
  'imageKey',
  'thumbnailKey',
  'createdBy',
  'createdAt',
  'updatedAt',
];

const MAX_ID = 2n ** 63n - 1n;

/** A native cursor as the SDK hands it out: standard base64 of a small protobuf. */
const CURSOR = /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_CURSOR_LENGTH = 2048;

/** Datastore ids are positive 64-bit integers; anything else names no book. */
function isId(id: string): boolean {
  return /^[1-9][0-9]{0,18}$/.test(id) && BigInt(id) <= MAX_ID;
}

function toBook(entity: BookEntity, id: string): Book {
  return {
    id,
    title: entity.title,
    author: entity.author,
    publishedDate: entity.publishedDate,
    description: entity.description,
    imageKey: entity.imageKey ?? null,
    thumbnailKey: entity.thumbnailKey ?? null,
    createdById: entity.createdById,
    createdBy: entity.createdBy,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
    sortKey: entity.sortKey,
  };
}

/** The fields a form edits, and nothing else that the caller's object may carry. */
function editable(book: BookChanges): BookChanges & { words: string[] } {
  const { title, author, publishedDate, description, imageKey, thumbnailKey, sortKey } = book;
  return { title, author, publishedDate, description, imageKey, thumbnailKey, sortKey, words: searchPrefixes(title, author) };
}

@Injectable()
export class DatastoreBooksRepository extends BooksRepository implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DatastoreBooksRepository.name);
  private backfilling: Promise<number> | undefined;
  private stopping = false;

  constructor(@Inject(DATASTORE_CLIENT) private readonly datastore: Datastore) {
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

  /** Settles when the backfill started at bootstrap has finished or stopped (at once if none started). */
  async startupBackfill(): Promise<void> {
    await this.backfilling;
  }

  /**
   * Gives the books stored before search existed their `words`: walks every book in key order,
   * BACKFILL_BATCH at a time, each batch in a transaction that writes only books still without words
   * (an edit in between has written them already). Progress is kept in one BACKFILL_KIND entity, so a
   * stopped run resumes where it was, and a finished one costs one read at start. Returns how many
   * books it gave words.
   */
  async backfillWords(): Promise<number> {
    const markerKey = this.datastore.key([BACKFILL_KIND, 'words']);
    const [stored] = await this.datastore.get(markerKey, { gaxOptions: DATASTORE_CALL });
    const marker: BackfillEntity = (stored as BackfillEntity | undefined) ?? { after: '', done: false };
    let written = 0;
    while (!marker.done && !this.stopping) {
      let query = this.datastore.createQuery(KIND).select('__key__').order('__key__').limit(BACKFILL_BATCH);
      if (marker.after) query = query.filter(new PropertyFilter('__key__', '>', this.keyOf(marker.after)!));
      const [found] = await this.datastore.runQuery(query, { gaxOptions: DATASTORE_CALL });
      const keys = found.map((entity) => entity[this.datastore.KEY] as Key);
      if (keys.length > 0) {
        const transaction = this.datastore.transaction();
        await transaction.run({ gaxOptions: DATASTORE_CALL });
        try {
          const [entities] = await transaction.get(keys, { gaxOptions: DATASTORE_CALL });
          const missing = (entities as BookEntity[]).filter((entity) => entity.words === undefined);
          for (const entity of missing) {
            const data: BookEntity = { ...entity, words: searchPrefixes(entity.title, entity.author) };
            const key = (entity as unknown as Record<symbol, Key>)[this.datastore.KEY];
            transaction.save({ key, data, method: 'update', excludeFromIndexes: UNINDEXED });
          }
          await transaction.commit(DATASTORE_CALL);
          written += missing.length;
        } catch (error) {
          await transaction.rollback(DATASTORE_CALL).catch(() => undefined);
          throw error;
        }
        marker.after = String(keys[keys.length - 1].id);
      }
      marker.done = keys.length < BACKFILL_BATCH;
      await this.datastore.save({ key: markerKey, data: marker, excludeFromIndexes: ['after', 'done'] }, DATASTORE_CALL);
    }
    if (written > 0) this.logger.log(`Search backfill: ${written} books indexed`);
    return written;
  }

  async create(book: NewBook): Promise<Book> {
    const now = new Date();
    const { createdById, createdBy } = book;
    const data: BookEntity = { ...editable(book), createdById, createdBy, createdAt: now, updatedAt: now };
    const key = this.datastore.key(KIND);
    // The incomplete key gets its allocated id when the insert commits.
    await database(() => this.datastore.save({ key, data, method: 'insert', excludeFromIndexes: UNINDEXED }, DATASTORE_CALL));
    return toBook(data, String(key.id));
  }

  async findById(id: string): Promise<Book | null> {
    const key = this.keyOf(id);
    if (!key) return null;
    const [entity] = await database(() => this.datastore.get(key, { gaxOptions: DATASTORE_CALL }));
    return entity ? toBook(entity as BookEntity, id) : null;
  }

  /**
   * Reads the stored book for the fields that never change, then writes it back with `update`,
   * which fails rather than recreating a book deleted in between. Two edits at once: the last wins.
   */
  async update(id: string, changes: BookChanges): Promise<Book | null> {
    const key = this.keyOf(id);
    if (!key) return null;
    return database(async () => {
      const [entity] = await this.datastore.get(key, { gaxOptions: DATASTORE_CALL });
      if (!entity) return null;
      const { createdById, createdBy, createdAt } = entity as BookEntity;
      const data: BookEntity = { ...editable(changes), createdById, createdBy, createdAt, updatedAt: new Date() };
      try {
        await this.datastore.save({ key, data, method: 'update', excludeFromIndexes: UNINDEXED }, DATASTORE_CALL);
      } catch (error) {
        if (grpcCode(error) === GRPC_NOT_FOUND) return null;
        throw error;
      }
      return toBook(data, id);
    });
  }

  async delete(id: string): Promise<void> {
    const key = this.keyOf(id);
    if (!key) return;
    await database(() => this.datastore.delete(key, DATASTORE_CALL));
  }

  /** Not kept here: list pages are rendered afresh every time. */
  async changeStamp(): Promise<null> {
    return null;
  }

  /**
   * Pages with Datastore's own cursors. The list order is the index order: `sortKey` (strings
   * compare as UTF-8 bytes), then the key. All books use the built-in `sortKey` index; one owner's
   * books need the composite index in index.yaml.
   */
  list(query: ListQuery & { whole?: false }): Promise<BookPage>;
  list(query: ListQuery & { whole: true }): Promise<BookPage<Book>>;
  /** Datastore returns whole entities either way (a projection would need an index of its own). */
  async list({ createdById, after, limit, words }: ListQuery): Promise<BookPage<Book>> {
    if (words?.length) return this.search(words, createdById, after, limit);
    if (after !== undefined && (after.length > MAX_CURSOR_LENGTH || !CURSOR.test(after))) throw new InvalidPageToken();
    const ordered = (): Query => {
      let query = this.datastore.createQuery(KIND);
      if (createdById !== undefined) query = query.filter(new PropertyFilter('createdById', '=', createdById));
      return query.order('sortKey').order('__key__');
    };
    const first = ordered().limit(limit);
    if (after !== undefined) first.start(after);
    const [entities, info] = await this.run(first, after !== undefined);
    const books = entities.map((entity) => toBook(entity as BookEntity, String(entity[this.datastore.KEY].id)));
    let next: string | null = null;
    // `moreResults` is only a hint (MORE_RESULTS_AFTER_LIMIT also when nothing follows), so a full
    // page asks for one more key from where it ended, unless the service already said "no more".
    if (books.length === limit && info.moreResults !== 'NO_MORE_RESULTS' && info.endCursor) {
      const probe = ordered().select('__key__').start(info.endCursor).limit(1);
      const [more] = await this.run(probe, false);
      if (more.length > 0) next = info.endCursor;
    }
    return { books, next };
  }

  /**
   * A search walks the composite index (words, sortKey) (or (createdById, words, sortKey)) for the
   * longest query word, in list order, and keeps the books that have every other word too: one index
   * per number of words would be needed for Datastore to intersect them itself. Keyset paging from the
   * last book's `[sortKey, id]`: first the rest of its sort key (`sortKey = ?`, `__key__ > ?`), then the
   * sort keys above it.
   */
  private async search(words: readonly string[], createdById: string | undefined, after: string | undefined, limit: number) {
    const position = after === undefined ? undefined : decodeKeyset(after, (id) => (isId(id) ? id : null));
    const driver = drivingWord(words);
    const others = words.filter((word) => word !== driver);
    const matching = (): Query => {
      let query = this.datastore.createQuery(KIND).filter(new PropertyFilter('words', '=', driver));
      if (createdById !== undefined) query = query.filter(new PropertyFilter('createdById', '=', createdById));
      return query;
    };
    const queries: Query[] = position
      ? [
          matching()
            .filter(new PropertyFilter('sortKey', '=', position[0]))
            .filter(new PropertyFilter('__key__', '>', this.keyOf(position[1])!))
            .order('__key__'),
          matching()
            .filter(new PropertyFilter('sortKey', '>', position[0]))
            .order('sortKey')
            .order('__key__'),
        ]
      : [matching().order('sortKey').order('__key__')];
    const books: Book[] = [];
    for (const query of queries) {
      let cursor: string | undefined;
      // One book looked ahead says exactly whether another page exists.
      while (books.length <= limit) {
        const batch = query.limit(SEARCH_BATCH);
        if (cursor) batch.start(cursor);
        const [entities, info] = await this.run(batch, false);
        for (const entity of entities as BookEntity[]) {
          if (books.length > limit) break;
          if (others.every((word) => entity.words?.includes(word))) {
            books.push(toBook(entity, String((entity as unknown as Record<symbol, Key>)[this.datastore.KEY].id)));
          }
        }
        if (entities.length < SEARCH_BATCH || !info.endCursor) break;
        cursor = info.endCursor;
      }
      if (books.length > limit) break;
    }
    const page = books.slice(0, limit);
    return { books: page, next: books.length > limit ? encodeKeyset(page[page.length - 1]) : null };
  }

  private async run(query: Query, fromCursor: boolean): Promise<RunQueryResponse> {
    try {
      return await this.datastore.runQuery(query, { gaxOptions: DATASTORE_CALL });
    } catch (error) {
      // Tokens are signed by us, so a cursor the service cannot parse comes from an old or broken link.
      if (fromCursor && grpcCode(error) === GRPC_INVALID_ARGUMENT) throw new InvalidPageToken();
      throw new BackendUnavailable(error);
    }
  }

  private keyOf(id: string): Key | null {
    return isId(id) ? this.datastore.key([KIND, this.datastore.int(id)]) : null;
  }
}
