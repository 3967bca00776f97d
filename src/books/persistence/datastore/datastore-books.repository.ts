import { type Datastore, type Key, PropertyFilter, type Query } from '@google-cloud/datastore';
import type { RunQueryResponse } from '@google-cloud/datastore/build/src/query';
import { Inject, Injectable } from '@nestjs/common';
import { BackendUnavailable, InvalidPageToken } from '../../../common/domain-errors';
import type { Book, BookChanges, NewBook } from '../../book';
import { type BookPage, BooksRepository, type ListQuery } from '../../books.repository';
import { DATASTORE_CLIENT } from '../../../database/database-clients';
import { database } from '../persistence-helpers';
import { DATASTORE_CALL, GRPC_INVALID_ARGUMENT, GRPC_NOT_FOUND, grpcCode } from '../../../database/datastore/datastore-client';

const KIND = 'Book';

/** Stored properties: the Book without its id, which is the key's. */
type BookEntity = Omit<Book, 'id'>;

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
function editable(book: BookChanges): BookChanges {
  const { title, author, publishedDate, description, imageKey, thumbnailKey, sortKey } = book;
  return { title, author, publishedDate, description, imageKey, thumbnailKey, sortKey };
}

@Injectable()
export class DatastoreBooksRepository extends BooksRepository {
  constructor(@Inject(DATASTORE_CLIENT) private readonly datastore: Datastore) {
    super();
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
  async list({ createdById, after, limit }: ListQuery): Promise<BookPage<Book>> {
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
