import type { Readable } from 'node:stream';

export interface StoredImage {
  body: Readable;
  contentType: string;
  size?: number;
}

/**
 * The cover storage port, and the DI token its adapters (local disk, Cloud Storage) are provided under.
 *
 * Invariants every adapter keeps (test/contract checks them):
 * - keys are the random names `CoverService` generates; any other key (path separators, `..`)
 *   is refused by `put` with an error and reads as null in `get`;
 * - `get` returns null for an unknown key;
 * - `delete` is idempotent;
 * - `url` is where a browser loads the object (our own `/covers/...` route for local disk).
 */
export abstract class ImageStorage {
  abstract put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  abstract get(key: string): Promise<StoredImage | null>;
  abstract delete(key: string): Promise<void>;
  abstract url(key: string): Promise<string>;
}
