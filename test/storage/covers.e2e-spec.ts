import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { COVER_CACHE_CONTROL, newCoverKeys } from '../../src/storage/cover-key';
import { CoverService } from '../../src/storage/cover.service';
import { CoversController } from '../../src/storage/covers.controller';
import { GcsImageStorage } from '../../src/storage/gcs-image-storage';
import { ImageStorage } from '../../src/storage/image-storage';
import { LocalImageStorage } from '../../src/storage/local-image-storage';
import { StorageModule } from '../../src/storage/storage.module';
import { solidImage } from '../helpers/images';

process.env.METADATA_SERVER_DETECTION = 'none';

async function startStorageApp(env: Record<string, string>): Promise<{ app: INestApplication; origin: string }> {
  const config = loadConfig(env);
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), StorageModule.forRoot(config)],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, origin: `http://127.0.0.1:${port}` };
}

describe(CoversController.name, () => {
  let uploadDir: string;
  let app: INestApplication;
  let origin: string;
  let covers: CoverService;

  beforeAll(async () => {
    uploadDir = await mkdtemp(join(tmpdir(), 'covers-'));
    ({ app, origin } = await startStorageApp({ STORAGE_BACKEND: 'local', UPLOAD_DIR: uploadDir }));
    covers = app.get(CoverService);
  });
  afterAll(async () => {
    await app?.close();
    await rm(uploadDir, { recursive: true, force: true });
  });

  it('serves a stored cover and its thumbnail as WebP that browsers cache for good and never sniff', async () => {
    const upload = await solidImage('jpeg', 500, 700, '#884422');
    const prepared = await covers.prepare(upload);
    const keys = await covers.store(prepared);
    const urls = await covers.urls(keys);

    for (const [url, bytes] of [
      [urls!.image, prepared.image],
      [urls!.thumbnail, prepared.thumbnail],
    ] as const) {
      const response = await fetch(new URL(url, origin));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/webp');
      expect(response.headers.get('content-length')).toBe(String(bytes.length));
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toBe(COVER_CACHE_CONTROL);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    }
  });

  it('answers 404, without long caching, once a cover is removed', async () => {
    const upload = await solidImage('png', 4, 4, '#000');
    const keys = await covers.store(await covers.prepare(upload));
    const { image } = (await covers.urls(keys))!;

    await covers.remove(keys);

    const response = await fetch(new URL(image, origin));
    expect(response.status).toBe(404);
    expect(response.headers.get('cache-control')).not.toBe(COVER_CACHE_CONTROL);
  });

  it.each([
    `/covers/${newCoverKeys().imageKey}`,
    '/covers/..%2f..%2f..%2fetc%2fpasswd',
    '/covers/%2e%2e',
    '/covers/..%5c..%5cwindows',
    '/covers/x.webp',
    `/covers/.${newCoverKeys().imageKey}.tmp`,
  ])('answers 404 for %s', async (path) => {
    const response = await fetch(`${origin}${path}`);

    expect(response.status).toBe(404);
  });
});

describe(StorageModule.name, () => {
  let uploadDir: string;
  beforeAll(async () => {
    uploadDir = await mkdtemp(join(tmpdir(), 'covers-'));
  });
  afterAll(async () => {
    await rm(uploadDir, { recursive: true, force: true });
  });

  it('stores covers on local disk by default, and serves them itself', async () => {
    const { app, origin } = await startStorageApp({ UPLOAD_DIR: uploadDir });
    try {
      expect(app.get(ImageStorage)).toBeInstanceOf(LocalImageStorage);
      expect((await fetch(`${origin}/covers/${newCoverKeys().imageKey}`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('stores covers in Cloud Storage with STORAGE_BACKEND=gcs, and then has no /covers route', async () => {
    const key = newCoverKeys().imageKey;
    // Nothing is sent anywhere: the route must not exist, whatever storage would answer.
    const { app, origin } = await startStorageApp({
      STORAGE_BACKEND: 'gcs',
      GOOGLE_CLOUD_PROJECT: 'bookshelf-test',
      CLOUD_STORAGE_BUCKET: 'covers',
      STORAGE_API_ENDPOINT: 'http://127.0.0.1:9',
    });
    try {
      expect(app.get(ImageStorage)).toBeInstanceOf(GcsImageStorage);
      expect(await app.get(CoverService).urls({ imageKey: key, thumbnailKey: null })).toEqual({
        image: `http://127.0.0.1:9/covers/${key}`,
        thumbnail: `http://127.0.0.1:9/covers/${key}`,
      });
      expect((await fetch(`${origin}/covers/${key}`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
