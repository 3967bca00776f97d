import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type Sharp from 'sharp';
import { BoundedQueue, type QueueLimits } from '../common/bounded-queue';
import { COVER_CONTENT_TYPE, type CoverKeys, newCoverKeys } from './cover-key';
import { detectImageType } from './image-type';
import { ImageStorage } from './image-storage';
import { InvalidImage } from './storage.errors';

export interface PreparedCover {
  image: Buffer;
  thumbnail: Buffer;
  contentType: string;
}

export interface CoverUrls {
  image: string;
  thumbnail: string;
}

/**
 * What an upload may cost. Each figure is beyond any real cover (which we show at 1200 px at most) and
 * keeps two decodes at once well inside an instance's 1 GB (app.yaml):
 * - 40 megapixels (unchanged): phones save 12 MP by default and most cameras 24-33 MP; a 40 MP
 *   streamed decode took about 1 s of CPU here. Past it, a small file can declare a huge canvas (a
 *   decompression bomb); the rare 48+ MP original has to be downsized first, as before.
 * - 10,000 px a side: a long side of 10,000 at 4:1 is still 40 MP, but with the pixel cap alone a
 *   40,000,000 x 1 strip took 300 MB (one huge scanline) and 1 x 40,000,000 took 10 s (per-row work).
 * - 128 MiB decoded, for the images libvips cannot decode a few lines at a time (`wholeFrameBytes`):
 *   every 8-bit RGB progressive JPEG under the pixel cap fits (40 MP is 120 MB), while a 6000 x 6000
 *   interlaced 16-bit RGBA PNG (288 MB; a 300 KB file) does not. Peaks measured 1.2-1.5 times the estimate.
 * - 5 s of processing: the largest accepted images took about 1 s here, and an instance has 1 vCPU
 *   for two images at once; anything slower is work crafted to be slow.
 * - 2 images decoded at once, one per core of the servers we size for: each holds one of libuv's 4
 *   worker threads for its whole run, and capping them keeps threads free for fs, dns.lookup and crypto
 *   (database connects, sessions). 6 more may wait (6 x 8 MiB of uploads in memory), for at most 10 s;
 *   beyond that the server is overloaded, and refusing (503, `Retry-After`) beats ever-longer waits.
 */
export interface CoverLimits {
  maxPixels: number;
  maxSide: number;
  maxWholeFrameBytes: number;
  timeoutSeconds: number;
  queue: QueueLimits;
}

export const MAX_INPUT_PIXELS = 40_000_000;
export const COVER_LIMITS: CoverLimits = {
  maxPixels: MAX_INPUT_PIXELS,
  maxSide: 10_000,
  maxWholeFrameBytes: 128 * 1024 * 1024,
  timeoutSeconds: 5,
  queue: { running: 2, waiting: 6, maxWaitMs: 10_000 },
};
/** Nothing provides it, so the app runs with `COVER_LIMITS`; tests pass their own to the constructor. */
export const COVER_LIMITS_OVERRIDE = Symbol('CoverLimits');

export const COVER_MAX_SIZE = 1200;
export const THUMBNAIL_MAX_SIZE = 320;
const WEBP_QUALITY = 82;

// `pages: 1` (sharp's default, stated on purpose) decodes only the first frame. `failOn: 'warning'`
// (the default too) refuses truncated and corrupt files instead of padding them with grey. The others
// are defaults as well: `unlimited: false` keeps libvips' own guards (PNG chunk and text sizes, for
// instance), `sequentialRead` decodes top to bottom without keeping the whole image.
const DECODE_OPTIONS = { pages: 1, failOn: 'warning', unlimited: false, sequentialRead: true } as const;
const UNREADABLE = 'The cover could not be read. It may be damaged or incomplete.';

let loadedSharp: typeof Sharp | undefined;

/** sharp (libvips) is loaded on the first upload: pages never need it, and it costs start-up time and 20 MB. */
function loadSharp(): typeof Sharp {
  if (!loadedSharp) {
    loadedSharp = require('sharp') as typeof Sharp;
    // libvips threads per image. Its default (one per core) oversubscribes a 2-core server as soon as two
    // uploads overlap; parallelism comes from concurrent uploads instead, up to `CoverLimits.queue.running`.
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

  /** One per app (StorageModule is global), so these bounds hold for the whole process. */
  readonly queue: BoundedQueue;

  constructor(
    private readonly storage: ImageStorage,
    @Optional() @Inject(COVER_LIMITS_OVERRIDE) private readonly limits: CoverLimits = COVER_LIMITS,
  ) {
    this.queue = new BoundedQueue(limits.queue, 'Bookshelf is busy processing other covers. Please try again in a moment.');
  }

  /**
   * Validates and re-encodes an upload; throws `InvalidImage` for anything that is not a decodable PNG,
   * JPEG, GIF or WebP within `CoverLimits`, and `Busy` when too many uploads are already waiting; stores
   * nothing.
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
    // The header is checked outside the queue: it costs little (the upload is at most 8 MiB), so a
    // refused file never waits for a slot nor holds one.
    let header: Sharp.Metadata;
    try {
      header = await sharp(upload, { ...DECODE_OPTIONS, limitInputPixels: false }).metadata();
    } catch {
      throw new InvalidImage(UNREADABLE);
    }
    if (header.format !== type) throw new InvalidImage();
    this.checkSize(header);
    return this.queue.run(() => this.reencode(sharp, upload));
  }

  private checkSize(header: Sharp.Metadata): void {
    const { maxPixels, maxSide, maxWholeFrameBytes } = this.limits;
    const { width, height } = header;
    if (width * height > maxPixels) {
      throw new InvalidImage(`The cover has too many pixels (at most ${maxPixels / 1_000_000} megapixels).`);
    }
    if (width > maxSide || height > maxSide) {
      throw new InvalidImage(`The cover is too large (at most ${maxSide.toLocaleString('en')} pixels on each side).`);
    }
    if (wholeFrameBytes(header) > maxWholeFrameBytes) {
      throw new InvalidImage(
        'The cover would take too much memory to decode (an interlaced, progressive, 16-bit or GIF image this large). ' +
          'Save it as a smaller image, or as a standard JPEG or 8-bit PNG.',
      );
    }
  }

  private async reencode(sharp: typeof Sharp, upload: Buffer): Promise<PreparedCover> {
    const { maxPixels, timeoutSeconds } = this.limits;
    let image: Buffer;
    try {
      image = await sharp(upload, { ...DECODE_OPTIONS, limitInputPixels: maxPixels })
        // libvips checks the clock between the strips it computes, so this stops slow work crafted to
        // pass the header checks; a single long step (such as a whole-frame decode) finishes first,
        // which is why those are bounded by `maxWholeFrameBytes` before decoding.
        .timeout({ seconds: timeoutSeconds })
        .rotate()
        .resize(COVER_MAX_SIZE, COVER_MAX_SIZE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: WEBP_QUALITY })
        .toBuffer();
    } catch (error) {
      // sharp reports it as libvips' error "timeout: N% complete".
      if (error instanceof Error && error.message.startsWith('timeout:')) {
        throw new InvalidImage(`The cover took too long to process (over ${timeoutSeconds} seconds). Try a smaller or simpler image.`);
      }
      throw new InvalidImage(UNREADABLE);
    }
    // From the re-encoded cover, not the upload: decoding a 1200px WebP is far cheaper than the
    // original again, and the second lossy step is invisible at thumbnail size.
    const thumbnail = await sharp(image)
      .resize(THUMBNAIL_MAX_SIZE, THUMBNAIL_MAX_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: WEBP_QUALITY })
      .toBuffer();
    return { image, thumbnail, contentType: COVER_CONTENT_TYPE };
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

/**
 * The bytes libvips holds at once for an image it cannot decode a few lines at a time, else 0 (streamed
 * decoding needs a few rows whatever the size). Interlaced PNGs and progressive JPEGs are decoded whole
 * before their first row is complete, and GIF frames are always composed whole, as RGBA. Of our formats
 * only PNG has 16-bit samples (`ushort`).
 */
export function wholeFrameBytes(
  header: Pick<Sharp.Metadata, 'format' | 'isProgressive' | 'width' | 'height' | 'channels' | 'depth'>,
): number {
  const { format, isProgressive, width, height, channels, depth } = header;
  if (format === 'gif') return width * height * 4;
  if (!isProgressive) return 0;
  return width * height * channels * (depth === 'ushort' ? 2 : 1);
}
