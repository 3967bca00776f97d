import { startApp, type RunningApp } from '../helpers/app-process';
import { describeWithGcsEmulator, type GcsEmulator, startGcsEmulator } from '../helpers/gcs-emulator';
import { pngCover } from '../helpers/images';
import { WebClient } from '../helpers/web-client';
import { bookForm, bookIdOf } from './bookshelf/support';

process.env.METADATA_SERVER_DETECTION = 'none';

describeWithGcsEmulator('covers in Cloud Storage, over HTTP', () => {
  let emulator: GcsEmulator;
  let app: RunningApp;
  let ada: WebClient;

  beforeAll(async () => {
    emulator = await startGcsEmulator();
    app = await startApp({
      STORAGE_BACKEND: 'gcs',
      STORAGE_API_ENDPOINT: emulator.endpoint,
      CLOUD_STORAGE_BUCKET: emulator.bucket,
      GOOGLE_CLOUD_PROJECT: emulator.projectId,
    });
    ada = new WebClient(app.baseUrl);
    await ada.signIn('ada@example.com', 'Ada');
  });

  afterAll(async () => {
    await app?.stop();
    await emulator?.stop();
  });

  it('uploads a cover that the book page serves from the bucket, and deletes it with the book', async () => {
    await ada.get('/books/add');
    const added = await ada.post(
      '/books/add',
      bookForm(ada, { title: 'Cloud cover' }, { bytes: await pngCover(), name: 'c.png', type: 'image/png' }),
    );
    const id = bookIdOf(added);
    const view = await ada.get(`/books/${id}`);
    const src = view.html.querySelector('img.cover')!.getAttribute('src')!;
    expect(src.startsWith(`${emulator.endpoint}/${emulator.bucket}/`)).toBe(true);
    const csp = view.headers.get('content-security-policy')!;
    expect(csp).toContain(new URL(emulator.endpoint).origin);

    const image = await fetch(src);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/webp');
    expect(
      Buffer.from(await image.arrayBuffer())
        .subarray(8, 12)
        .toString(),
    ).toBe('WEBP');

    const confirm = await ada.get(`/books/${id}/delete`);
    expect((await ada.post(`/books/${id}/delete`, { _csrf: ada.csrfToken(confirm) })).status).toBe(303);
    expect((await fetch(src)).status).toBe(404);
  });

  it('does not serve covers from the app when they live in Cloud Storage', async () => {
    expect((await fetch(`${app.baseUrl}/covers/00000000-0000-4000-8000-000000000000.webp`)).status).toBe(404);
  });
});
