import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { COVER_CACHE_CONTROL, COVER_KEY_PATTERN, newCoverKeys } from '../../src/storage/cover-key';
import { GcsImageStorage } from '../../src/storage/gcs-image-storage';
import { ImageStorage } from '../../src/storage/image-storage';
import { LocalImageStorage } from '../../src/storage/local-image-storage';
import { StorageModule } from '../../src/storage/storage.module';
import { describeWithGcsEmulator, GcsEmulator, startGcsEmulator } from '../helpers/gcs-emulator';
import { solidImage } from '../helpers/images';

process.env.METADATA_SERVER_DETECTION = 'none';

/** One adapter, built by StorageModule from configuration as the app builds it, in a listening app. */
interface Subject {
  storage: ImageStorage;
  /** Our app's origin: relative cover URLs (local disk) are served by it. */
  origin: string;
  /** Checks what a URL looks like for this adapter (beyond serving the right bytes). */
  expectUrlShape(url: string, key: string): void;
  close(): Promise<void>;
}

async function startStorageApp(env: Record<string, string>): Promise<{ app: INestApplication; storage: ImageStorage; origin: string }> {
  const config = loadConfig(env);
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), StorageModule.forRoot(config)],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, storage: app.get(ImageStorage), origin: `http://127.0.0.1:${port}` };
}

const INVALID_KEYS = [
  '',
  '.',
  '..',
  '../x',
  '../x.webp',
  'a/b',
  '..%2f',
  '..%2fx.webp',
  '/etc/passwd',
  '..\\x.webp',
  `../${randomUUID()}.webp`,
  `${randomUUID()}.webp/../x.webp`,
  `${randomUUID()}.webp\n`,
  `${randomUUID()}.webp\0`,
  ` ${randomUUID()}.webp`,
  `${randomUUID().toUpperCase()}.webp`,
  `${randomUUID()}.png`,
  `${randomUUID()}.webp.tmp`,
];

/** The ImageStorage contract (see the port's JSDoc): every adapter passes exactly these tests. */
function imageStorageContract(start: () => Promise<Subject>) {
  let subject: Subject;
  let storage: ImageStorage;
  let webp: Buffer;

  beforeAll(async () => {
    subject = await start();
    storage = subject.storage;
    webp = await solidImage('webp', 8, 6, '#c0ffee');
  });
  afterAll(async () => {
    await subject?.close();
  });

  async function read(key: string) {
    const stored = await storage.get(key);
    if (!stored) return null;
    return { contentType: stored.contentType, size: stored.size, bytes: Buffer.concat(await stored.body.toArray()) };
  }

  it('reads back the bytes and content type it stored', async () => {
    const { imageKey, thumbnailKey } = newCoverKeys();

    await storage.put(imageKey, webp, 'image/webp');
    await storage.put(thumbnailKey, Buffer.from('thumbnail'), 'image/webp');

    await expect(read(imageKey)).resolves.toEqual({ contentType: 'image/webp', size: webp.length, bytes: webp });
    await expect(read(thumbnailKey)).resolves.toMatchObject({ bytes: Buffer.from('thumbnail') });
  });

  it('returns null for a key it never stored', async () => {
    await expect(storage.get(newCoverKeys().imageKey)).resolves.toBeNull();
  });

  it('serves the object at its url, with the content type and a long immutable cache lifetime', async () => {
    const { imageKey } = newCoverKeys();
    await storage.put(imageKey, webp, 'image/webp');

    const url = await storage.url(imageKey);

    subject.expectUrlShape(url, imageKey);
    const response = await fetch(new URL(url, subject.origin));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(response.headers.get('cache-control')).toBe(COVER_CACHE_CONTROL);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(webp);
  });

  it('deletes idempotently', async () => {
    const { imageKey } = newCoverKeys();
    await storage.put(imageKey, webp, 'image/webp');

    await storage.delete(imageKey);
    await expect(storage.get(imageKey)).resolves.toBeNull();
    await expect(storage.delete(imageKey)).resolves.toBeUndefined();
    await expect(storage.delete(newCoverKeys().imageKey)).resolves.toBeUndefined();
  });

  it('deletes only the object it is asked to', async () => {
    const { imageKey, thumbnailKey } = newCoverKeys();
    await storage.put(imageKey, webp, 'image/webp');
    await storage.put(thumbnailKey, webp, 'image/webp');

    await storage.delete(imageKey);

    await expect(read(thumbnailKey)).resolves.toMatchObject({ bytes: webp });
  });

  it.each(INVALID_KEYS)('refuses the key %j: put and url throw, get is null, delete does nothing', async (key) => {
    await expect(storage.put(key, webp, 'image/webp')).rejects.toThrow(/invalid key/);
    await expect(storage.get(key)).resolves.toBeNull();
    await expect(storage.delete(key)).resolves.toBeUndefined();
    await expect(storage.url(key)).rejects.toThrow(/Not a cover key/);
  });

  it('refuses to store a type other than the one the key announces', async () => {
    const { imageKey } = newCoverKeys();

    await expect(storage.put(imageKey, webp, 'image/svg+xml')).rejects.toThrow(/type/);
    await expect(storage.get(imageKey)).resolves.toBeNull();
  });
}

describe(LocalImageStorage.name, () => {
  let parent: string;
  let uploadDir: string;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'covers-'));
    uploadDir = join(parent, 'not', 'yet', 'there');
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  imageStorageContract(async () => {
    const { app, storage, origin } = await startStorageApp({ STORAGE_BACKEND: 'local', UPLOAD_DIR: uploadDir });
    return {
      storage,
      origin,
      expectUrlShape: (url, key) => expect(url).toBe(`/covers/${key}`),
      close: () => app.close(),
    };
  });

  it('created its folder at start, and keeps nothing but covers in it (no temporary files)', async () => {
    const files = await readdir(uploadDir);

    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((name) => !COVER_KEY_PATTERN.test(name))).toEqual([]);
  });

  it('never wrote anything outside its folder', async () => {
    await expect(readdir(parent)).resolves.toEqual(['not']);
    await expect(readdir(join(parent, 'not'))).resolves.toEqual(['yet']);
  });
});

describeWithGcsEmulator(GcsImageStorage.name, () => {
  let emulator: GcsEmulator;
  beforeAll(async () => {
    emulator = await startGcsEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  const gcsEnv = (coverUrls: string) => ({
    STORAGE_BACKEND: 'gcs',
    GOOGLE_CLOUD_PROJECT: emulator.projectId,
    CLOUD_STORAGE_BUCKET: emulator.bucket,
    STORAGE_API_ENDPOINT: emulator.endpoint,
    COVER_URLS: coverUrls,
  });

  describe('with public URLs', () => {
    imageStorageContract(async () => {
      const { app, storage, origin } = await startStorageApp(gcsEnv('public'));
      return {
        storage,
        origin,
        expectUrlShape: (url, key) => expect(url).toBe(`${emulator.endpoint}/${emulator.bucket}/${key}`),
        close: () => app.close(),
      };
    });
  });

  describe('with signed URLs', () => {
    // A made-up service account: the client signs with its key locally and never calls Google.
    // The emulator serves objects without checking signatures, so these tests check the URL's shape
    // and that it reaches the object; a real bucket is what checks the signature.
    let credentialsDir: string;
    const clientEmail = 'covers@bookshelf-test.iam.gserviceaccount.com';

    beforeAll(async () => {
      credentialsDir = await mkdtemp(join(tmpdir(), 'gcs-credentials-'));
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const file = join(credentialsDir, 'service-account.json');
      await writeFile(
        file,
        JSON.stringify({
          type: 'service_account',
          project_id: 'bookshelf-test',
          private_key_id: 'test',
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
          client_email: clientEmail,
          // Loopback, so that an unexpected token request fails at once instead of leaving the machine.
          token_uri: 'http://127.0.0.1:9/token',
        }),
      );
      process.env.GOOGLE_APPLICATION_CREDENTIALS = file;
    });
    afterAll(async () => {
      delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      await rm(credentialsDir, { recursive: true, force: true });
    });

    imageStorageContract(async () => {
      const { app, storage, origin } = await startStorageApp(gcsEnv('signed'));
      return {
        storage,
        origin,
        expectUrlShape: (url, key) => {
          const parsed = new URL(url);
          expect(`${parsed.origin}${parsed.pathname}`).toBe(`${emulator.endpoint}/${emulator.bucket}/${key}`);
          expect(parsed.searchParams.get('X-Goog-Algorithm')).toBe('GOOG4-RSA-SHA256');
          const credential = new RegExp(`^${clientEmail}/\\d{8}/auto/storage/goog4_request$`);
          expect(parsed.searchParams.get('X-Goog-Credential')).toMatch(credential);
          expect(parsed.searchParams.get('X-Goog-SignedHeaders')).toBe('host');
          expect(parsed.searchParams.get('X-Goog-Signature')).toMatch(/^[0-9a-f]{512}$/);
          // Valid for 15 to 20 minutes from now (signed from the start of a 5-minute window).
          const signedAt = Date.parse(
            parsed.searchParams.get('X-Goog-Date')!.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'),
          );
          const expiresAt = signedAt + Number(parsed.searchParams.get('X-Goog-Expires')) * 1000;
          expect(signedAt).toBeLessThanOrEqual(Date.now());
          expect(expiresAt - Date.now()).toBeGreaterThan(15 * 60_000 - 5_000);
          expect(expiresAt - Date.now()).toBeLessThanOrEqual(20 * 60_000);
        },
        close: () => app.close(),
      };
    });

    it('gives the same URL for a cover throughout a 5-minute window, so browsers can cache it', async () => {
      const { app, storage } = await startStorageApp(gcsEnv('signed'));
      const now = jest.spyOn(Date, 'now');
      try {
        const { imageKey } = newCoverKeys();
        const windowStart = Math.floor(Date.now() / 300_000) * 300_000;
        const urlAt = (time: number) => {
          now.mockReturnValue(time);
          return storage.url(imageKey);
        };

        const first = await urlAt(windowStart + 1_000);
        const later = await urlAt(windowStart + 299_000);
        const nextWindow = await urlAt(windowStart + 301_000);

        expect(later).toBe(first);
        expect(nextWindow).not.toBe(first);
      } finally {
        now.mockRestore();
        await app.close();
      }
    });
  });
});
