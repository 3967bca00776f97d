import type { Readable } from 'node:stream';

export interface StoredImage {
  body: Readable;
  contentType: string;
  size?: number;
}

/**
 * The cover storage port, and the DI token its adapters (local disk, Cloud Storage) are provided under.
 *
 * Invariants every adapter keeps (test/storage/image-storage.contract-spec.ts checks them):
 * - keys are the random names `CoverService` generates (`COVER_KEY_PATTERN` in cover-key.ts); any other
 *   key (path separators, `..`, encoded forms) is refused by `put` and `url` with an error, reads as null
 *   in `get`, and is a no-op in `delete`;
 * - `put` stores only the content type the key's extension announces (`image/webp`), and a reader
 *   never sees a partly written object;
 * - `get` returns null for an unknown key;
 * - `delete` is idempotent;
 * - `url` is where a browser loads the object (our own `/covers/...` route for local disk), served with
 *   the object's content type and `COVER_CACHE_CONTROL`.
 */
export abstract class ImageStorage {
  abstract put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  abstract get(key: string): Promise<StoredImage | null>;
  abstract delete(key: string): Promise<void>;
  abstract url(key: string): Promise<string>;
}
