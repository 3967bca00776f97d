import { BackendUnavailable, InvalidPageToken } from '../../common/domain-errors';
import type { Book } from '../book';

/** Any failure of a driver means the database cannot serve the request right now (503). */
export async function database<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new BackendUnavailable(error);
  }
}

/** A keyset position in the list order: the last book's `[sortKey, id]`, for adapters without native cursors. */
export function encodeKeyset(book: Pick<Book, 'sortKey' | 'id'>): string {
  return JSON.stringify([book.sortKey, book.id]);
}

/** The position, with the id parsed by the adapter; `InvalidPageToken` for anything it did not issue. */
export function decodeKeyset<Id>(cursor: string, parseId: (id: string) => Id | null): [string, Id] {
  try {
    const value: unknown = JSON.parse(cursor);
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const id = parseId(value[1]);
      if (id !== null) return [value[0], id];
    }
  } catch {
    // not JSON: fall through
  }
  throw new InvalidPageToken();
}
