import { randomUUID } from 'node:crypto';

/**
 * The one definition of a cover's storage key: a random UUID (v4, lower-case) naming the cover,
 * `-thumb` for its thumbnail, and the extension of the one format we store.
 * Keys contain no `/`, `.` runs or `%`, so they are safe as file names, object names and URL paths.
 */
export const COVER_KEY_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}(-thumb)?\.webp$/;

/** Every stored cover is re-encoded to this type, so a key's extension always tells its type. */
export const COVER_CONTENT_TYPE = 'image/webp';

/** Keys are random and their objects never rewritten, so a browser or CDN may keep a cover for a year. */
export const COVER_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export function isCoverKey(key: unknown): key is string {
  return typeof key === 'string' && COVER_KEY_PATTERN.test(key);
}

/** The storage keys of a stored cover and its thumbnail; null when there is none. */
export interface CoverKeys {
  imageKey: string | null;
  thumbnailKey: string | null;
}

/** Fresh keys for one cover and its thumbnail; the shared UUID pairs them when looking at a bucket. */
export function newCoverKeys(): { imageKey: string; thumbnailKey: string } {
  const id = randomUUID();
  return { imageKey: `${id}.webp`, thumbnailKey: `${id}-thumb.webp` };
}

/**
 * Adapters call this before writing, so that no caller can make them write outside their folder or
 * bucket prefix, or store bytes under a type the key does not announce.
 */
export function assertWritableCover(key: string, contentType: string): void {
  if (!isCoverKey(key)) throw new Error(`Refusing to store a cover under an invalid key: ${JSON.stringify(key)}`);
  if (contentType !== COVER_CONTENT_TYPE) {
    throw new Error(`Refusing to store a cover of type ${JSON.stringify(contentType)}; covers are ${COVER_CONTENT_TYPE}`);
  }
}
