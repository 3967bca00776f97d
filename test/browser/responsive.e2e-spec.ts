import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContextOptions } from 'playwright-core';
import {
  type BrowserRig,
  describeInBrowser,
  type GuardedContext,
  horizontalOverflow,
  HttpUser,
  loadedImageWidths,
  guardedContexts,
  README_SCREENSHOT_DIR,
  SCREENSHOT_DIR,
  screenshot,
  startBrowserRig,
  UPDATE_README_SCREENSHOTS,
} from '../helpers/browser';

const GRACE = { email: 'grace@example.com', name: 'Grace Hopper' };

/** A phone (375 px, as an iPhone's CSS width) and a laptop. */
const SCREENS: Record<string, BrowserContextOptions> = {
  '375': { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true },
  '1280': { viewport: { width: 1280, height: 800 } },
};

/** Public-domain classics, so that the README's screenshots look like a real shelf. */
const SHELF = [
  {
    title: 'Frankenstein',
    author: 'Mary Shelley',
    publishedDate: '1818',
    cover: '#3d5a80',
    description:
      'Victor Frankenstein, a young scientist, creates a sapient creature in an unorthodox experiment, and spends the rest of his life fleeing from what he made.',
  },
  { title: 'Pride and Prejudice', author: 'Jane Austen', publishedDate: '1813', cover: '#b5838d' },
  { title: 'Moby-Dick', author: 'Herman Melville', publishedDate: '1851', cover: '#1d3557' },
  { title: 'Middlemarch', author: 'George Eliot', publishedDate: '1871' },
  { title: 'The Time Machine', author: 'H. G. Wells', publishedDate: '1895', cover: '#e07a5f' },
  { title: 'Notes on the Analytical Engine', author: 'Ada Lovelace', publishedDate: '1843', cover: '#6d597a' },
];

describeInBrowser('Bookshelf on a phone and on a laptop', () => {
  let rig: BrowserRig;
  let grace: HttpUser;
  let frankenstein: string;

  beforeAll(async () => {
    rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
    rig = await startBrowserRig();
    grace = await HttpUser.signIn(rig.app.baseUrl, GRACE);
    [frankenstein] = await grace.addBooks(SHELF);
  });

  afterAll(async () => {
    await rig?.stop();
    console.log(`Browser screenshots (375 px and 1280 px wide) are in ${SCREENSHOT_DIR}`);
  });

  const guarded = guardedContexts(() => rig);
  const screen = (width: string, options: BrowserContextOptions = {}): Promise<GuardedContext> =>
    guarded({ ...SCREENS[width], ...options });

  it.each(Object.keys(SCREENS))(
    'shows the list, book and form pages without horizontal scroll at %s px, and screenshots them',
    async (width) => {
      const { page } = await screen(width, { storageState: grace.storageState() });
      const pages = {
        list: '/books',
        book: `/books/${frankenstein}`,
        form: `/books/${frankenstein}/edit`,
        account: '/account',
        'account-delete': '/account/delete',
      };
      const overflow: Record<string, number> = {};
      for (const [name, path] of Object.entries(pages)) {
        const response = await page.goto(path);
        expect(response?.status()).toBe(200);
        const widths = await loadedImageWidths(page.locator('main img[src], nav img'));
        expect(widths.filter((w) => w === 0)).toEqual([]);
        overflow[name] = await horizontalOverflow(page);
        await screenshot(page, `${name}-${width}`);
      }
      expect(overflow).toEqual({ list: 0, book: 0, form: 0, account: 0, 'account-delete': 0 });
    },
  );

  it.each(['light', 'dark'] as const)(
    'screenshots the landing, list, book, form and My Books pages at 375 and 1280 px in the %s theme',
    async (colorScheme) => {
      const pages = { landing: '/books', list: '/books', book: `/books/${frankenstein}`, add: '/books/add', mine: '/books/mine' };
      for (const width of Object.keys(SCREENS)) {
        const anonymous = await screen(width, { colorScheme });
        const signedIn = await screen(width, { colorScheme, storageState: grace.storageState() });
        for (const [name, path] of Object.entries(pages)) {
          const { page } = name === 'landing' ? anonymous : signedIn;
          expect((await page.goto(path))?.status()).toBe(200);
          const images = page.locator('main img[src]');
          if (await images.count()) await loadedImageWidths(images);
          const file = await screenshot(page, `${name}-${width}-${colorScheme}`, { fullPage: false });
          if (UPDATE_README_SCREENSHOTS) {
            mkdirSync(README_SCREENSHOT_DIR, { recursive: true });
            copyFileSync(file, join(README_SCREENSHOT_DIR, `${name}-${width}-${colorScheme}.png`));
          }
        }
      }
    },
  );

  it('keeps long unbroken words, a long name and error messages inside a 375 px screen', async () => {
    const longWord = 'Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(2);
    const someone = await HttpUser.signIn(rig.app.baseUrl, {
      email: 'maximiliana.wilhelmina@example.com',
      name: 'Maximiliana Wilhelmina von Stauffenberg-Hohenlohe',
    });
    const id = await someone.addBook({
      title: `${longWord} ${longWord}`,
      author: longWord,
      publishedDate: 'x'.repeat(50),
      description: `https://example.com/${'a'.repeat(300)}`,
      cover: '#264653',
    });
    try {
      const { page } = await screen('375', { storageState: someone.storageState() });
      const overflow: Record<string, number> = {};
      for (const path of ['/books', '/books/mine', `/books/${id}`, `/books/${id}/edit`, `/books/${id}/delete`, '/logout']) {
        await page.goto(path);
        overflow[path] = await horizontalOverflow(page);
      }
      // The form with its error messages.
      await page.goto('/books/add');
      await page.getByLabel('Author').fill(longWord);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('#title-error').waitFor();
      overflow['/books/add (invalid)'] = await horizontalOverflow(page);
      expect(overflow).toEqual(Object.fromEntries(Object.keys(overflow).map((k) => [k, 0])));
    } finally {
      await someone.deleteBook(id);
    }
  });

  it('would notice a page wider than the screen, so the checks above can fail', async () => {
    const { page } = await screen('375');
    await page.goto('/books');
    expect(await horizontalOverflow(page)).toBe(0);
    await page.evaluate(() => {
      const wide = document.createElement('pre');
      wide.textContent = 'x'.repeat(200);
      document.querySelector('main')!.append(wide);
      // Bootstrap lets <pre> scroll inside itself; a plain block does not.
      wide.style.overflow = 'visible';
      wide.style.overflowWrap = 'normal';
    });
    expect(await horizontalOverflow(page)).toBeGreaterThan(0);
  });
});
