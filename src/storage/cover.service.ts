import { Injectable, Logger } from '@nestjs/common';
import type Sharp from 'sharp';
import type { CoverKeys } from '../books/book';
import { InvalidImage } from '../common/domain-errors';
import { COVER_CONTENT_TYPE, newCoverKeys } from './cover-key';
import { detectImageType } from './image-type';
import { ImageStorage } from './image-storage';

export interface PreparedCover {
  image: Buffer;
  thumbnail: Buffer;
  contentType: string;
}

export interface CoverUrls {
  image: string;
  thumbnail: string;
}

/** Refuses larger images before decoding them: a small file can declare a huge canvas (decompression bomb). */
export const MAX_INPUT_PIXELS = 40_000_000;
export const COVER_MAX_SIZE = 1200;
export const THUMBNAIL_MAX_SIZE = 320;
const WEBP_QUALITY = 82;

let loadedSharp: typeof Sharp | undefined;

/** sharp (libvips) is loaded on the first upload: pages never need it, and it costs start-up time and 20 MB. */
function loadSharp(): typeof Sharp {
  if (!loadedSharp) {
    loadedSharp = require('sharp') as typeof Sharp;
    // libvips threads per image. Its default (one per core) oversubscribes a 2-core server as soon as two
    // uploads overlap; parallelism comes from concurrent uploads instead, up to `withImageSlot`'s limit.
    loadedSharp.concurrency(1);
    // The operation cache only pays off when the same input is processed again, which we never do;
    // off, so memory is returned as soon as an upload is done.
    loadedSharp.cache(false);
  }
  return loadedSharp;
}

/**
 * Turns uploads into the covers we store (re-encoded, metadata-free, bounded WebP images) and manages
 * their objects through the `ImageStorage` port.
 */
@Injectable()
export class CoverService {
  private readonly logger = new Logger(CoverService.name);

  constructor(private readonly storage: ImageStorage) {}

  /**
   * Validates and re-encodes an upload; throws `InvalidImage` for anything that is not a decodable PNG,
   * JPEG, GIF or WebP; stores nothing.
   *
   * The type comes from the bytes, and must be the one libvips then decodes, so no other libvips loader
   * (SVG, PDF, TIFF, HEIF...) ever sees user input. The result is auto-oriented from EXIF, then all
   * metadata (EXIF including GPS, ICC, XMP) is dropped: sharp writes none unless asked with
   * `withMetadata`/`keepMetadata`, and converts colours to sRGB. Animated GIF and WebP keep only their
   * first frame: a cover is a still image, and every frame would multiply decoding work and output size.
   */
  async prepare(upload: Buffer): Promise<PreparedCover> {
    const type = detectImageType(upload);
    if (!type) throw new InvalidImage();
    const sharp = loadSharp();
    return withImageSlot(async () => {
      // `pages: 1` (sharp's default, stated on purpose) decodes only the first frame. `failOn: 'warning'`
      // (the default too) refuses truncated and corrupt files instead of padding them with grey.
      const options = { pages: 1, failOn: 'warning' } as const;
      let image: Buffer;
      try {
        // Reads the header only, so the declared size is checked before any pixel is decoded.
        const { format, width = 0, height = 0 } = await sharp(upload, { ...options, limitInputPixels: false }).metadata();
        if (format !== type) throw new InvalidImage();
        if (width * height > MAX_INPUT_PIXELS) {
          throw new InvalidImage(`The cover has too many pixels (at most ${MAX_INPUT_PIXELS / 1_000_000} megapixels).`);
        }
        image = await sharp(upload, { ...options, limitInputPixels: MAX_INPUT_PIXELS })
          .rotate()
          .resize(COVER_MAX_SIZE, COVER_MAX_SIZE, { fit: 'inside', withoutEnlargement: true })
          .webp({ quality: WEBP_QUALITY })
          .toBuffer();
      } catch (error) {
        if (error instanceof InvalidImage) throw error;
        throw new InvalidImage('The cover could not be read. It may be damaged or incomplete.');
      }
      // From the re-encoded cover, not the upload: decoding a 1200px WebP is far cheaper than the
      // original again, and the second lossy step is invisible at thumbnail size.
      const thumbnail = await sharp(image)
        .resize(THUMBNAIL_MAX_SIZE, THUMBNAIL_MAX_SIZE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: WEBP_QUALITY })
        .toBuffer();
      return { image, thumbnail, contentType: COVER_CONTENT_TYPE };
    });
  }

  /**
   * Writes both objects under fresh random names and returns their keys.
   * If the second write fails, deletes the first, so a failed upload leaves nothing behind.
   */
  async store(prepared: PreparedCover): Promise<{ imageKey: string; thumbnailKey: string }> {
    const keys = newCoverKeys();
    await this.storage.put(keys.imageKey, prepared.image, prepared.contentType);
    try {
      await this.storage.put(keys.thumbnailKey, prepared.thumbnail, prepared.contentType);
    } catch (error) {
      await this.storage.delete(keys.imageKey).catch((cleanupError: unknown) => {
        this.logger.error(`Could not delete orphaned cover ${keys.imageKey}: ${String(cleanupError)}`);
      });
      throw error;
    }
    return keys;
  }

  /** Deletes both objects if present. Idempotent: a missing object is fine; storage failures propagate. */
  async remove(keys: CoverKeys): Promise<void> {
    const present = [keys.imageKey, keys.thumbnailKey].filter((key): key is string => key !== null);
    await Promise.all(present.map((key) => this.storage.delete(key)));
  }

  /** URLs for the browser, or null when the book has no cover. */
  async urls(keys: CoverKeys): Promise<CoverUrls | null> {
    if (!keys.imageKey) return null;
    const [image, thumbnail] = await Promise.all([
      this.storage.url(keys.imageKey),
      // Without a thumbnail the cover itself is shown small.
      this.storage.url(keys.thumbnailKey ?? keys.imageKey),
    ]);
    return { image, thumbnail };
  }
}

// At most two image pipelines at once, one per core of the servers we size for. Each pipeline holds
// one of libuv's 4 worker threads for its whole run; capping them keeps threads free for fs,
// dns.lookup and crypto (database connects, sessions), and bounds the memory large images take.
const withImageSlot = limitConcurrency(2);

/** Runs at most `limit` tasks at once; the others wait their turn in order. */
function limitConcurrency(limit: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < limit) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // a finishing task hands its slot over
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
