import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningApp, startApp } from '../helpers/app-process';
import { interlacedDeep, smallCover, tallStrip, wideStrip } from '../helpers/images';
import { type Page, WebClient } from '../helpers/web-client';

const MB = 1024 * 1024;

/** The process's resident memory now and its peak (VmHWM), in bytes. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const bytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: bytes('VmRSS'), peak: bytes('VmHWM') };
}

/** Restarts the peak from the current RSS (clear_refs "5"), so that start-up does not count. */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** Files in the upload folder, leaving out temporary ones. */
async function storedCovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => !name.startsWith('.'));
}

// The built app (dist/main.js) with covers on local disk: run `npx nest build` first.
describe('hostile cover images, against the built app', () => {
  let uploadDir: string;
  let app: RunningApp;
  /**
   * Ada on five devices, one session each: a refused form is kept in its session for the page it is sent
   * back to (post/redirect/get), and a session keeps one, so forms refused at the same moment need a
   * session each to show each its own message.
   */
  let devices: { client: WebClient; csrf: string }[];

  beforeAll(async () => {
    uploadDir = await mkdtemp(join(tmpdir(), 'hostile-covers-'));
    app = await startApp({ UPLOAD_DIR: uploadDir });
    devices = [];
    for (let i = 0; i < 5; i++) {
      const client = new WebClient(app.baseUrl);
      await client.signIn('ada@example.com', 'Ada Lovelace');
      devices.push({ client, csrf: client.csrfToken(await client.get('/books/add')) });
    }
  });
  afterAll(async () => {
    await app?.stop();
    await rm(uploadDir, { recursive: true, force: true });
  });

  /**
   * Posts the add-book form with `cover` from device `device`, and how long the answer took; a refusal's
   * redirect is then followed to the form it shows (not timed).
   */
  async function addBook(title: string, cover: Buffer, device = 0): Promise<{ page: Page; shown?: Page; ms: number }> {
    const { client, csrf } = devices[device];
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('title', title);
    form.set('image', new Blob([new Uint8Array(cover)], { type: 'image/png' }), 'cover.png');
    const started = Date.now();
    const page = await client.post('/books/add', form);
    const ms = Date.now() - started;
    const refused = page.status === 303 && page.headers.get('location') === '/books/add';
    return { page, shown: refused ? await client.get('/books/add') : undefined, ms };
  }

  it('refuses four hostile images sent at once within 1 s each, in bounded memory, while a normal cover is stored within 2 s', async () => {
    const [wide, tall, deep, normal] = await Promise.all([wideStrip(), tallStrip(), interlacedDeep(), smallCover()]);
    // Loads sharp, so that the baseline is the memory of an app that has processed a cover.
    expect((await addBook('Warm-up', normal)).page.status).toBe(303);
    expect(await storedCovers(uploadDir)).toHaveLength(2);
    resetPeak(app.pid);
    const idle = memory(app.pid).rss;

    const hostile = [
      { title: 'Wide strip', bytes: wide, reason: 'at most 10,000 pixels on each side' },
      { title: 'Tall strip', bytes: tall, reason: 'at most 10,000 pixels on each side' },
      { title: 'Deep interlaced 1', bytes: deep, reason: 'too much memory to decode' },
      { title: 'Deep interlaced 2', bytes: deep, reason: 'too much memory to decode' },
    ];
    const [answers, stored] = await Promise.all([
      Promise.all(hostile.map(({ title, bytes }, i) => addBook(title, bytes, i + 1))),
      addBook('Normal cover', normal),
    ]);
    const { peak } = memory(app.pid);

    hostile.forEach(({ reason }, i) => {
      const { page, shown, ms } = answers[i];
      // Refused: back to the form (303), which shows the message at the cover (422).
      expect(page.status).toBe(303);
      expect({ status: shown?.status, reason: shown?.html.querySelector('#image-error')?.text ?? shown?.body.slice(0, 500) }).toEqual({
        status: 422,
        reason: expect.stringContaining(reason),
      });
      expect(ms).toBeLessThan(1_000);
    });
    expect(stored.page.status).toBe(303);
    expect(stored.page.headers.get('location')).toMatch(/^\/books\/[^/]+$/);
    expect(stored.ms).toBeLessThan(2_000);
    expect((peak - idle) / MB).toBeLessThan(100);

    const book = await devices[0].client.get(stored.page.headers.get('location')!);
    const src = book.html.querySelector('img.cover')?.getAttribute('src');
    expect(src).toMatch(/^\/covers\//);
    expect((await fetch(new URL(src!, app.baseUrl))).status).toBe(200);
    // Two objects each for the warm-up and the normal cover; none for the refused ones.
    expect(await storedCovers(uploadDir)).toHaveLength(4);
  });
});
