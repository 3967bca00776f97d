import { type ArgumentsHost, Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { interlacedDeep, png, smallCover, tallStrip, wideStrip } from '../../test/helpers/hostile-images';
import { DomainErrorFilter } from '../common/domain-error.filter';
import { Busy } from '../common/domain-errors';
import { COVER_KEY_PATTERN } from './cover-key';
import { COVER_LIMITS, COVER_MAX_SIZE, CoverService, MAX_INPUT_PIXELS, THUMBNAIL_MAX_SIZE, wholeFrameBytes } from './cover.service';
import { ImageStorage, StoredImage } from './image-storage';
import { InvalidImage } from './storage.errors';

/** Keeps objects in a map; `failPutsFrom` makes the n-th and later puts fail, like a storage outage. */
class InMemoryImageStorage extends ImageStorage {
  readonly objects = new Map<string, { bytes: Buffer; contentType: string }>();
  failPutsFrom = Infinity;
  failDeletes = false;
  private puts = 0;

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    if (++this.puts >= this.failPutsFrom) throw new Error('storage is down');
    this.objects.set(key, { bytes, contentType });
  }
  async get(key: string): Promise<StoredImage | null> {
    const object = this.objects.get(key);
    return object ? { body: Readable.from(object.bytes), contentType: object.contentType } : null;
  }
  async delete(key: string): Promise<void> {
    if (this.failDeletes) throw new Error('storage is down');
    this.objects.delete(key);
  }
  async url(key: string): Promise<string> {
    return `https://covers.example/${key}`;
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const solid = (width: number, height: number, background = '#336699') => sharp({ create: { width, height, channels: 3, background } });

/** A valid PNG of 20000 x 20000 black pixels (400 megapixels) in about 50 KB: a decompression bomb. */
const pngBomb = () => png({ width: 20_000, height: 20_000, bitDepth: 1, colourType: 0 });

const XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Ada Secret</dc:creator>' +
  '</rdf:Description></rdf:RDF></x:xmpmeta>';
// The GPS IFD pointer tag (0x8825) as it appears in little-endian ("II") EXIF.
const GPS_IFD_TAG = Buffer.from([0x25, 0x88]);

describe(CoverService.name, () => {
  let storage: InMemoryImageStorage;
  let covers: CoverService;

  beforeEach(() => {
    storage = new InMemoryImageStorage();
    covers = new CoverService(storage);
  });

  describe('prepare', () => {
    async function expectCleanWebp(bytes: Buffer, maxSize: number) {
      const metadata = await sharp(bytes).metadata();
      expect(metadata.format).toBe('webp');
      expect(metadata.width).toBeLessThanOrEqual(maxSize);
      expect(metadata.height).toBeLessThanOrEqual(maxSize);
      expect(metadata.exif).toBeUndefined();
      expect(metadata.icc).toBeUndefined();
      expect(metadata.xmp).toBeUndefined();
      expect(metadata.orientation).toBeUndefined();
      return metadata;
    }

    it.each(['png', 'jpeg', 'gif', 'webp'] as const)('re-encodes a %s as WebP cover and thumbnail', async (format) => {
      const upload = await solid(600, 400).toFormat(format).toBuffer();

      const prepared = await covers.prepare(upload);

      expect(prepared.contentType).toBe('image/webp');
      expect(await expectCleanWebp(prepared.image, COVER_MAX_SIZE)).toMatchObject({ width: 600, height: 400 });
      expect(await expectCleanWebp(prepared.thumbnail, THUMBNAIL_MAX_SIZE)).toMatchObject({ width: 320, height: 213 });
    });

    it('shrinks a large image to fit inside the bounds, keeping its aspect ratio', async () => {
      const upload = await solid(3000, 1500).png().toBuffer();

      const prepared = await covers.prepare(upload);

      expect(await sharp(prepared.image).metadata()).toMatchObject({ width: 1200, height: 600 });
      expect(await sharp(prepared.thumbnail).metadata()).toMatchObject({ width: 320, height: 160 });
    });

    it('never enlarges a small image', async () => {
      const prepared = await covers.prepare(await solid(90, 120).png().toBuffer());

      expect(await sharp(prepared.image).metadata()).toMatchObject({ width: 90, height: 120 });
      expect(await sharp(prepared.thumbnail).metadata()).toMatchObject({ width: 90, height: 120 });
    });

    it('drops EXIF (with GPS), ICC and XMP metadata after applying the EXIF orientation', async () => {
      const upload = await solid(400, 200)
        .jpeg()
        .withIccProfile('p3')
        .withExif({
          IFD0: { Copyright: 'Ada Secret', Artist: 'Ada Secret' },
          IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 3230/100', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 3998/100' },
        })
        .withXmp(XMP)
        .withMetadata({ orientation: 6 }) // "rotate 90° clockwise to display"
        .toBuffer();
      const before = await sharp(upload).metadata();
      expect(before.exif?.includes(GPS_IFD_TAG)).toBe(true);
      expect(before).toMatchObject({ orientation: 6, width: 400, height: 200 });
      expect(before.icc).toBeDefined();
      expect(before.xmp).toBeDefined();

      const prepared = await covers.prepare(upload);

      const [image, thumbnail] = [prepared.image, prepared.thumbnail];
      expect(await expectCleanWebp(image, COVER_MAX_SIZE)).toMatchObject({ width: 200, height: 400, space: 'srgb' });
      expect(await expectCleanWebp(thumbnail, THUMBNAIL_MAX_SIZE)).toMatchObject({ width: 160, height: 320, space: 'srgb' });
      expect(prepared.image.includes('Ada Secret')).toBe(false);
      expect(prepared.thumbnail.includes('Ada Secret')).toBe(false);
    });

    it('keeps only the first frame of an animated GIF', async () => {
      const red = await solid(40, 30, '#ff0000').png().toBuffer();
      const blue = await solid(40, 30, '#0000ff').png().toBuffer();
      const gif = await sharp([red, blue], { join: { animated: true } })
        .gif()
        .toBuffer();
      expect(await sharp(gif).metadata()).toMatchObject({ format: 'gif', pages: 2 });

      const prepared = await covers.prepare(gif);

      const metadata = await sharp(prepared.image).metadata();
      expect(metadata).toMatchObject({ width: 40, height: 30 });
      expect(metadata.pages ?? 1).toBe(1);
      const { dominant } = await sharp(prepared.image).stats();
      expect(dominant.r).toBeGreaterThan(200);
      expect(dominant.b).toBeLessThan(50);
    });

    it.each([
      ['an HTML page (whatever its name)', () => Buffer.from('<!doctype html><title>x</title><script>alert(1)</script>')],
      ['an SVG', () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>')],
      ['an empty upload', () => Buffer.alloc(0)],
      ['a TIFF, which sharp could decode', () => solid(10, 10).tiff().toBuffer()],
      ['a PNG signature followed by SVG', () => Buffer.concat([PNG_SIGNATURE, Buffer.from('<svg/>')])],
    ])('refuses %s as InvalidImage', async (_name, makeUpload) => {
      await expect(covers.prepare(await makeUpload())).rejects.toBeInstanceOf(InvalidImage);
    });

    it('refuses a truncated JPEG', async () => {
      const noise = Buffer.from(Array.from({ length: 300 * 300 * 3 }, (_, i) => (i * 7919) % 251));
      const jpeg = await sharp(noise, { raw: { width: 300, height: 300, channels: 3 } })
        .jpeg()
        .toBuffer();
      await expect(covers.prepare(jpeg)).resolves.toBeDefined();

      await expect(covers.prepare(jpeg.subarray(0, Math.floor(jpeg.length / 2)))).rejects.toBeInstanceOf(InvalidImage);
    });

    it('refuses a decompression bomb before decoding it', async () => {
      const bomb = await pngBomb();
      expect(bomb.length).toBeLessThan(100_000);
      expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ width: 20_000, height: 20_000 });

      const refusal = covers.prepare(bomb);

      await expect(refusal).rejects.toBeInstanceOf(InvalidImage);
      await expect(refusal).rejects.toThrow(`at most ${MAX_INPUT_PIXELS / 1_000_000} megapixels`);
    });

    describe('limits', () => {
      const SIDES = 'at most 10,000 pixels on each side';
      const MEMORY = 'too much memory to decode';

      it.each([
        ['a 40,000,000 x 1 strip (300 MB to decode)', wideStrip, SIDES],
        ['a 1 x 40,000,000 strip (10 s to decode)', tallStrip, SIDES],
        ['an interlaced 16-bit RGBA 6000 x 6000 PNG (decoded whole: 288 MB)', interlacedDeep, MEMORY],
      ])('refuses %s from its header', async (_name, makeUpload, message) => {
        const upload = await makeUpload();
        expect(upload.length).toBeLessThan(400_000);

        await expect(covers.prepare(upload)).rejects.toThrow(message);
      });

      it.each([
        ['10,000 x 4,000, at both the side and the pixel limit', () => png({ width: 10_000, height: 4_000, bitDepth: 8, colourType: 0 })],
        ['an interlaced 4000 x 3000 RGB PNG', () => png({ width: 4_000, height: 3_000, bitDepth: 8, colourType: 2, interlaced: true })],
        ['a progressive 4000 x 3000 JPEG', () => solid(4_000, 3_000).jpeg({ progressive: true }).toBuffer()],
        ['a 16-bit RGBA 6000 x 6000 PNG that is not interlaced', () => png({ width: 6_000, height: 6_000, bitDepth: 16, colourType: 6 })],
      ])('accepts a cover as large as real ones get: %s', async (_name, makeUpload) => {
        await expect(covers.prepare(await makeUpload())).resolves.toMatchObject({ contentType: 'image/webp' });
      });

      it('counts what libvips must hold whole: interlaced, progressive and GIF images, at their sample size', () => {
        const header = { width: 6_000, height: 6_000, channels: 4, depth: 'ushort', isProgressive: true } as const;

        expect(wholeFrameBytes({ ...header, format: 'png' })).toBe(288_000_000);
        expect(wholeFrameBytes({ ...header, format: 'png', isProgressive: false })).toBe(0);
        expect(wholeFrameBytes({ ...header, format: 'jpeg', channels: 3, depth: 'uchar' })).toBe(108_000_000);
        expect(wholeFrameBytes({ ...header, format: 'gif', channels: 3, depth: 'uchar', isProgressive: false })).toBe(144_000_000);
        expect(wholeFrameBytes({ ...header, format: 'webp', channels: 3, depth: 'uchar', isProgressive: false })).toBe(0);
        expect(COVER_LIMITS.maxWholeFrameBytes).toBeLessThan(144_000_000);
        // Any 8-bit RGB progressive JPEG within the pixel limit.
        expect(COVER_LIMITS.maxWholeFrameBytes).toBeGreaterThanOrEqual(MAX_INPUT_PIXELS * 3);
      });

      it('stops an image that takes longer than the time limit, with InvalidImage', async () => {
        // Only the time limit stands in the way here: without it this decode takes about 5 s of CPU.
        const slow = new CoverService(storage, { ...COVER_LIMITS, maxSide: 40_000_000, timeoutSeconds: 1 });
        const upload = await tallStrip();

        const started = process.cpuUsage();
        await expect(slow.prepare(upload)).rejects.toThrow('took too long to process (over 1 seconds)');
        // libvips looks at the clock between strips, so it stops within a second or so of the limit. What the
        // limit saves is CPU, so that is what is counted (this process's, libvips' threads included: about 1.5
        // CPU seconds per second here); on a busy machine the limit's second holds less of it, never more.
        const { user, system } = process.cpuUsage(started);
        expect((user + system) / 1000).toBeLessThan(3_000);
      });

      describe('when the queue is full', () => {
        let release: () => void;
        let blockers: Promise<unknown>[];

        beforeEach(async () => {
          const blocked = new Promise<void>((resolve) => (release = resolve));
          const { running, waiting } = COVER_LIMITS.queue;
          blockers = Array.from({ length: running + waiting }, () => covers.queue.run(() => blocked));
        });
        afterEach(async () => {
          release();
          await Promise.all(blockers);
        });

        it('refuses another cover with Busy, answered as 503 with Retry-After, and stores nothing', async () => {
          const refusal = covers.prepare(await smallCover());

          await expect(refusal).rejects.toBeInstanceOf(Busy);
          await expect(refusal).rejects.toThrow('Bookshelf is busy processing other covers. Please try again in a moment.');
          const busy = await refusal.catch((error: Busy) => error);
          const response = { headersSent: false, status: jest.fn(), set: jest.fn(), render: jest.fn() };
          const host = {
            switchToHttp: () => ({ getRequest: () => ({ method: 'POST', path: '/books/add' }), getResponse: () => response }),
          } as unknown as ArgumentsHost;
          new DomainErrorFilter().catch(busy, host);
          expect(response.status).toHaveBeenCalledWith(503);
          expect(response.set).toHaveBeenCalledWith('Retry-After', '5');
          expect(storage.objects.size).toBe(0);
        });

        it('still refuses a hostile image at once, from its header, without waiting for a slot', async () => {
          await expect(covers.prepare(await wideStrip())).rejects.toThrow(SIDES);
        });

        it('takes covers again once the queue has room', async () => {
          release();
          await Promise.all(blockers);

          await expect(covers.prepare(await smallCover())).resolves.toMatchObject({ contentType: 'image/webp' });
        });
      });
    });

    it('stores nothing, even for an image it accepts', async () => {
      await covers.prepare(await solid(10, 10).png().toBuffer());
      await expect(covers.prepare(Buffer.from('<svg/>'))).rejects.toBeInstanceOf(InvalidImage);

      expect(storage.objects.size).toBe(0);
    });

    it('finishes every upload when more arrive at once than it processes in parallel', async () => {
      const uploads = await Promise.all(
        [1, 2, 3, 4, 5].map((n) =>
          solid(50 * n, 40)
            .png()
            .toBuffer(),
        ),
      );

      const prepared = await Promise.all(uploads.map((upload) => covers.prepare(upload)));

      const widths = await Promise.all(prepared.map(async ({ image }) => (await sharp(image).metadata()).width));
      expect(widths).toEqual([50, 100, 150, 200, 250]);
    });
  });

  describe('store', () => {
    const prepared = { image: Buffer.from('cover'), thumbnail: Buffer.from('thumb'), contentType: 'image/webp' };

    it('writes the cover and its thumbnail under fresh random keys', async () => {
      const first = await covers.store(prepared);
      const second = await covers.store(prepared);

      for (const keys of [first, second]) {
        expect(keys.imageKey).toMatch(COVER_KEY_PATTERN);
        expect(keys.thumbnailKey).toMatch(COVER_KEY_PATTERN);
        expect(storage.objects.get(keys.imageKey)).toEqual({ bytes: prepared.image, contentType: 'image/webp' });
        expect(storage.objects.get(keys.thumbnailKey)).toEqual({ bytes: prepared.thumbnail, contentType: 'image/webp' });
      }
      expect(new Set([first.imageKey, first.thumbnailKey, second.imageKey, second.thumbnailKey]).size).toBe(4);
    });

    it('deletes the cover again when the thumbnail cannot be written', async () => {
      storage.failPutsFrom = 2;

      await expect(covers.store(prepared)).rejects.toThrow('storage is down');

      expect(storage.objects.size).toBe(0);
    });

    it('reports the write failure, and logs the orphaned cover, when the cleanup fails too', async () => {
      storage.failPutsFrom = 2;
      storage.failDeletes = true;
      const logError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

      await expect(covers.store(prepared)).rejects.toThrow('storage is down');

      const [orphan] = [...storage.objects.keys()];
      expect(logError).toHaveBeenCalledWith(`Could not delete orphaned cover ${orphan}: Error: storage is down`);
      logError.mockRestore();
    });
  });

  describe('remove', () => {
    it('deletes the cover and its thumbnail, and can be repeated', async () => {
      const keys = await covers.store({ image: Buffer.from('c'), thumbnail: Buffer.from('t'), contentType: 'image/webp' });
      await covers.store({ image: Buffer.from('other'), thumbnail: Buffer.from('other'), contentType: 'image/webp' });

      await covers.remove(keys);
      await covers.remove(keys);

      expect(storage.objects.size).toBe(2);
      expect(storage.objects.has(keys.imageKey)).toBe(false);
      expect(storage.objects.has(keys.thumbnailKey)).toBe(false);
    });

    it('does nothing for a book without a cover', async () => {
      storage.failDeletes = true;

      await expect(covers.remove({ imageKey: null, thumbnailKey: null })).resolves.toBeUndefined();
    });

    it('lets storage failures through', async () => {
      storage.failDeletes = true;

      await expect(covers.remove({ imageKey: 'a.webp', thumbnailKey: null })).rejects.toThrow('storage is down');
    });
  });

  describe('urls', () => {
    it('is null for a book without a cover', async () => {
      await expect(covers.urls({ imageKey: null, thumbnailKey: null })).resolves.toBeNull();
    });

    it('gives the URLs of the cover and its thumbnail', async () => {
      await expect(covers.urls({ imageKey: 'i.webp', thumbnailKey: 't.webp' })).resolves.toEqual({
        image: 'https://covers.example/i.webp',
        thumbnail: 'https://covers.example/t.webp',
      });
    });

    it('shows the cover as its own thumbnail when there is none', async () => {
      await expect(covers.urls({ imageKey: 'i.webp', thumbnailKey: null })).resolves.toEqual({
        image: 'https://covers.example/i.webp',
        thumbnail: 'https://covers.example/i.webp',
      });
    });
  });
});
