import { Injectable } from '@nestjs/common';
import { BooksRepository } from './books.repository';

/**
 * The books' change stamp (`BooksRepository.changeStamp()`), read for the caches that reuse what was read
 * or rendered while it stands still (`BookPagesCache`, `StampedBookReads`). Concurrent readers share
 * reads (`sharedReads`), so under load one round trip serves every request that arrived during the last.
 */
@Injectable()
export class BookChangeStamp {
  /** The stamp now (a read that began after the call), or null for adapters without one. */
  readonly read: () => Promise<string | null>;

  constructor(books: BooksRepository) {
    this.read = sharedReads(() => books.changeStamp());
  }
}

/**
 * Shares reads among callers without ever answering one with a value read before its call: the first
 * caller starts a read; those who call while it runs (it may have begun before a write they saw finish)
 * all share the next one, which starts when it ends. Under load a database round trip then serves every
 * request that arrived during the previous one. A failure is shared instead: when the running read fails
 * (the database did not answer in time), those waiting fail with it at once, rather than after a second
 * deadline of their own; a failure carries no stale value, and the next caller reads afresh.
 */
export function sharedReads<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const current = read();
    running = current;
    const done = () => {
      if (running === current) running = undefined;
    };
    current.then(done, done);
    return current;
  };
  return () => {
    if (!running) return start();
    queued ??= running.then(
      () => {
        queued = undefined;
        return start();
      },
      (error: unknown) => {
        queued = undefined;
        throw error;
      },
    );
    return queued;
  };
}
