import type { BrowserContextOptions, Page } from 'playwright-core';
import { type BrowserRig, describeInBrowser, flashText, HttpUser, guardedContexts, pathOf, startBrowserRig } from '../helpers/browser';
import { coverPng, htmlNotAnImage } from '../helpers/images';

const ADA = { email: 'ada.ui@example.com', name: 'Ada Lovelace' };
const GRACE = { email: 'grace.ui@example.com', name: 'Grace Hopper' };
const MIB = 1024 * 1024;

/**
 * The interface's defects, one test each, as a new user met them in Chromium at 1280 and 375 px: each test
 * fails if its defect comes back. (Signing in as another person after signing out: sign-in-again.e2e-spec.)
 */
describeInBrowser('Bookshelf’s interface', () => {
  let rig: BrowserRig;
  let ada: HttpUser;
  let adaBooks: string[];

  beforeAll(async () => {
    rig = await startBrowserRig();
    ada = await HttpUser.signIn(rig.app.baseUrl, ADA);
    adaBooks = await ada.addBooks(
      Array.from({ length: 12 }, (_, i) => ({
        title: `Interface book ${String(i + 1).padStart(2, '0')}`,
        author: 'Ada Lovelace',
        cover: i % 3 === 2 ? undefined : ['#3d5a80', '#ee6c4d'][i % 2],
      })),
    );
  });

  afterAll(async () => {
    await rig?.stop();
  });

  const person = guardedContexts(() => rig);

  const asAda = (options: BrowserContextOptions = {}) => person({ storageState: ada.storageState(), ...options });

  /** A file with a PNG signature and `bytes` in all: too large, but only its size says so. */
  const largePng = (bytes: number) => ({
    name: 'huge-cover.png',
    mimeType: 'image/png',
    buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(bytes - 8)]),
  });

  const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? null);

  /** Leaves the page and comes back with the browser's Back: the page must load again without a resubmission. */
  async function leaveAndComeBack(page: Page): Promise<void> {
    const before = pathOf(page);
    await page.goto('/books');
    const back = await page.goBack();
    expect(back?.ok() || back?.status() === 413 || back?.status() === 422 || back === null).toBe(true);
    expect(pathOf(page)).toBe(before);
    await page.getByRole('heading', { level: 1 }).waitFor();
  }

  it('1. checks a cover over 8 MiB before uploading it, keeping everything typed and the person signed in', async () => {
    const { page } = await asAda();
    await page.goto('/books/add');
    await page.getByLabel('Title').fill('Kept title');
    await page.getByLabel('Description').fill('Typed with care');
    await page.getByLabel('Cover image').setInputFiles(largePng(9 * MIB));
    await page.locator('#image-error').waitFor();
    expect(await page.locator('#image-error').innerText()).toBe('That file is 9.0 MiB: covers can be at most 8 MiB.');
    // Nothing was sent; the file is dropped so that Save cannot send it.
    expect(await page.getByLabel('Cover image').evaluate((input: HTMLInputElement) => input.files?.length)).toBe(0);
    expect(await page.getByLabel('Title').inputValue()).toBe('Kept title');
    expect(pathOf(page)).toBe('/books/add');
  });

  it('1. without scripts, a cover over 8 MiB shows the form again (413) with what was typed, signed in, and Back works', async () => {
    const { page, problems } = await asAda({ javaScriptEnabled: false });
    await page.goto('/books/add');
    await page.getByLabel('Title').fill('Too big, no script');
    await page.getByLabel('Author').fill('Someone');
    await page.getByLabel('Cover image').setInputFiles(largePng(9 * MIB));
    problems.expectErrorStatus('/books/add', 413);
    const shown = page.waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname === '/books/add');
    await page.getByRole('button', { name: 'Save' }).click();
    expect((await shown).status()).toBe(413);
    await page.getByRole('heading', { level: 1, name: 'Add book' }).waitFor();
    expect(await page.locator('#image-error').innerText()).toBe('That upload is too large. Covers can be at most 8 MiB.');
    expect(await page.getByLabel('Title').inputValue()).toBe('Too big, no script');
    expect(await page.getByLabel('Author').inputValue()).toBe('Someone');
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    expect(await focusedId(page)).toBe('image');
    await leaveAndComeBack(page);
  });

  it('3. Back after a form the server refused never asks to resubmit it', async () => {
    const { page, problems } = await asAda();
    await page.goto('/books/add');
    // Control characters pass the page's own checks; the server refuses them (422), post/redirect/get.
    await page.getByLabel('Title').fill('Bell\u0007character');
    problems.expectErrorStatus('/books/add', 422);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#title-error', { hasText: 'not allowed' }).waitFor();
    expect(await focusedId(page)).toBe('title');
    await leaveAndComeBack(page);
    // Shown once: back on the form, it is fresh, and no 422 comes again.
    await page.reload();
    expect(await page.getByLabel('Title').inputValue()).toBe('');
  });

  it('4. a file that is not an image, whatever its name, is refused at once with no broken preview', async () => {
    const { page } = await asAda();
    await page.goto('/books/add');
    await page.getByLabel('Cover image').setInputFiles({ name: 'cover.jpg', mimeType: 'image/jpeg', buffer: htmlNotAnImage() });
    await page.locator('#image-error').waitFor();
    expect(await page.locator('#image-error').innerText()).toBe('That file is not a PNG, JPEG, GIF or WebP image.');
    expect(await page.getByRole('img', { name: 'The new cover you chose' }).isVisible()).toBe(false);
    // A real image then clears the message and shows its preview.
    await page.getByLabel('Cover image').setInputFiles({ name: 'real.png', mimeType: 'image/png', buffer: await coverPng('#457b9d') });
    await page.getByRole('img', { name: 'The new cover you chose' }).waitFor();
    expect(await page.locator('#image-error').isVisible()).toBe(false);
  });

  it('5. marks the required field, hints the date, focuses the first invalid field and clears a fixed message', async () => {
    const { page } = await asAda();
    await page.goto('/books/add');
    const title = page.getByLabel('Title');
    expect(await title.getAttribute('required')).not.toBeNull();
    expect(await page.locator('label[for="title"]').innerText()).toContain('*');
    expect(await page.locator('label[for="title"] .visually-hidden').innerText()).toBe('(required)');
    expect(await page.locator('#publishedDate-help').innerText()).toContain('1843');
    expect(await page.getByLabel('Published date').getAttribute('aria-describedby')).toContain('publishedDate-help');
    await page.getByLabel('Author').fill('Focus moves from here');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#title-error', { hasText: 'Title is required.' }).waitFor();
    expect(await focusedId(page)).toBe('title');
    expect(await title.getAttribute('aria-invalid')).toBe('true');
    await title.pressSequentially('F');
    await page.locator('#title-error').waitFor({ state: 'hidden' });
    expect(await title.getAttribute('aria-invalid')).toBeNull();
  });

  it('6. welcomes a first-time visitor and gives every empty list a way forward', async () => {
    const anonymous = await person();
    await anonymous.page.goto('/');
    expect(pathOf(anonymous.page)).toBe('/books');
    const welcome = anonymous.page.getByRole('region', { name: 'Welcome to Bookshelf' });
    expect(await welcome.isVisible()).toBe(true);
    expect(await welcome.getByRole('link', { name: 'Sign in to add a book' }).getAttribute('href')).toBe(
      '/oauth2authorize?return_url=%2Fbooks%2Fadd',
    );
    // Signed in, no welcome; a person with no books is invited to add one.
    const newcomer = await HttpUser.signIn(rig.app.baseUrl, { email: 'newcomer.ui@example.com', name: 'Newcomer' });
    const { page } = await person({ storageState: newcomer.storageState() });
    await page.goto('/books');
    expect(await page.getByRole('region', { name: 'Welcome to Bookshelf' }).count()).toBe(0);
    await page.goto('/books/mine');
    expect(await page.getByText('No books found').isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Add your first book' }).click();
    await page.getByRole('heading', { level: 1, name: 'Add book' }).waitFor();
  });

  it('7. marks where you are, gives a way back from a book and a 403 page, and pages with a way to the first', async () => {
    const grace = await HttpUser.signIn(rig.app.baseUrl, GRACE);
    const { page, problems } = await person({ storageState: grace.storageState() });
    await page.goto('/books');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Books', exact: true }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('link', { name: 'My Books' }).getAttribute('aria-current')).toBeNull();
    expect(await page.locator('.page-number').innerText()).toBe('Page 1');
    expect(await page.locator('a.first-page').count()).toBe(0);
    await page.getByRole('link', { name: 'More books' }).click();
    await page.waitForURL(/page_token=/);
    expect(await page.locator('.page-number').innerText()).toBe('Page 2');
    await page.getByRole('link', { name: 'First page' }).click();
    await page.waitForURL((url) => url.pathname === '/books' && url.search === '');
    await page.goto('/books/mine');
    expect(await nav.getByRole('link', { name: 'My Books' }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('link', { name: 'Books', exact: true }).getAttribute('aria-current')).toBeNull();
    await page.goto('/account');
    expect(await nav.getByRole('link', { name: GRACE.name }).getAttribute('aria-current')).toBe('page');

    await page.goto(`/books/${adaBooks[0]}`);
    await page.getByRole('navigation', { name: 'Back' }).getByRole('link', { name: '← All books' }).click();
    await page.waitForURL((url) => url.pathname === '/books');
    // Someone else's book: 403, with the way back.
    problems.expectErrorStatus(`/books/${adaBooks[0]}/edit`, 403);
    expect((await page.goto(`/books/${adaBooks[0]}/edit`))?.status()).toBe(403);
    await page.getByRole('main').getByRole('link', { name: 'Back to the books' }).click();
    await page.waitForURL((url) => url.pathname === '/books');
  });

  it('8. labels the current and the new cover, and disables "remove" while a new cover is chosen', async () => {
    const { page } = await asAda();
    await page.goto(`/books/${adaBooks[0]}/edit`);
    expect(await page.getByRole('img', { name: 'The current cover' }).isVisible()).toBe(true);
    expect(await page.getByText('Current cover', { exact: true }).isVisible()).toBe(true);
    const remove = page.getByLabel('Remove the current cover');
    await remove.check();
    await page.getByLabel('Cover image').setInputFiles({ name: 'new.png', mimeType: 'image/png', buffer: await coverPng('#2a9d8f') });
    await page.getByRole('img', { name: 'The new cover you chose' }).waitFor();
    expect(await page.getByText('New cover', { exact: true }).isVisible()).toBe(true);
    expect(await remove.isDisabled()).toBe(true);
    expect(await remove.isChecked()).toBe(false);
    await page.getByLabel('Cover image').setInputFiles([]);
    expect(await remove.isEnabled()).toBe(true);
  });

  it('9. shows books as a grid of covers, forms at a reading width, and flash messages by kind, dismissible, once', async () => {
    const { page } = await asAda();
    await page.goto('/books');
    const covers = page.locator('.book-list .book-cover');
    const boxes = await Promise.all([0, 1, 2].map(async (i) => (await covers.nth(i).boundingBox())!));
    expect(boxes[1].y).toBe(boxes[0].y);
    expect(boxes[1].x).toBeGreaterThan(boxes[0].x);
    expect(boxes[0].width).toBeGreaterThanOrEqual(140);
    expect(boxes[0].height).toBeGreaterThanOrEqual(200);
    await page.goto('/books/add');
    expect((await page.getByLabel('Title').boundingBox())!.width).toBeLessThanOrEqual(640);

    // A success is green and can be dismissed.
    await page.getByLabel('Title').fill('Flash book');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/books\/\d+$/);
    const success = page.locator('main .flash');
    expect(await success.getAttribute('class')).toContain('alert-success');
    await page.getByRole('button', { name: 'Dismiss this message' }).click();
    expect(await success.count()).toBe(0);
    // Signing out is information, and a reload does not show it again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/books');
    expect(await flashText(page)).toBe('You have signed out.');
    expect(await page.locator('main .flash').getAttribute('class')).toContain('alert-info');
    // Neither the address nor the way back after signing in keeps the notice.
    expect(pathOf(page)).toBe('/books');
    expect(await page.getByRole('link', { name: 'Login' }).getAttribute('href')).toBe('/oauth2authorize?return_url=%2Fbooks');
    await page.reload();
    expect(await flashText(page)).toBeNull();
    ada = await HttpUser.signIn(rig.app.baseUrl, ADA);
  });

  it('10. keeps the signed-in navigation to one row on a phone, the menu behind a toggler', async () => {
    const { page } = await asAda({ viewport: { width: 375, height: 740 } });
    await page.goto('/books');
    const bar = page.locator('.site-header .navbar');
    expect((await bar.boundingBox())!.height).toBeLessThanOrEqual(64);
    const myBooks = page.getByRole('link', { name: 'My Books' });
    expect(await myBooks.isVisible()).toBe(false);
    const toggler = page.getByRole('button', { name: 'Menu' });
    expect(await toggler.getAttribute('aria-expanded')).toBe('false');
    await toggler.click();
    expect(await toggler.getAttribute('aria-expanded')).toBe('true');
    await myBooks.click();
    await page.waitForURL((url) => url.pathname === '/books/mine');
    expect(await page.getByRole('searchbox', { name: 'Search books' }).isVisible()).toBe(false);
  });
});
