import type { Locator } from 'playwright-core';
import {
  accessibilityViolations,
  type BrowserRig,
  describeInBrowser,
  finishAtProvider,
  flashText,
  focusState,
  type GuardedContext,
  HttpUser,
  guardedContexts,
  pathOf,
  seriousAccessibilityViolations,
  startBrowserRig,
  tabTo,
} from '../helpers/browser';
import { writeCoverPng } from '../helpers/images';

const ADA = { email: 'ada@example.com', name: 'Ada Lovelace' };
const GRACE = { email: 'grace@example.com', name: 'Grace Hopper' };

describeInBrowser('Bookshelf for people using assistive technology or only a keyboard', () => {
  let rig: BrowserRig;
  let graceBooks: string[];
  /** Ada's session, signed in over HTTP: these tests are not about signing in. */
  let ada: HttpUser;

  beforeAll(async () => {
    rig = await startBrowserRig();
    graceBooks = await (
      await HttpUser.signIn(rig.app.baseUrl, GRACE)
    ).addBooks([
      { title: 'Frankenstein', author: 'Mary Shelley', publishedDate: '1818', description: 'The modern Prometheus.', cover: '#3d5a80' },
      { title: 'Middlemarch', author: 'George Eliot', publishedDate: '1871' },
    ]);
  });

  afterAll(async () => {
    await rig?.stop();
  });

  const person = guardedContexts(() => rig);

  async function asAda(): Promise<GuardedContext> {
    ada ??= await HttpUser.signIn(rig.app.baseUrl, ADA);
    return person({ storageState: ada.storageState() });
  }

  /** Visits `path` (answering `status`) and returns axe's serious and critical violations there. */
  async function violationsAt(guarded: GuardedContext, path: string, status = 200): Promise<string[]> {
    if (status >= 400) guarded.problems.expectErrorStatus(path, status);
    const response = await guarded.page.goto(path);
    expect(response?.status()).toBe(status);
    return seriousAccessibilityViolations(guarded.page);
  }

  it.each(['light', 'dark'] as const)('has no accessibility violations of any impact in the %s theme', async (colorScheme) => {
    const anonymous = await person({ colorScheme });
    const signedIn = await asAdaIn(colorScheme);
    const violations: string[] = [];
    const visit = async (guarded: GuardedContext, path: string, status = 200) => {
      if (status >= 400) guarded.problems.expectErrorStatus(path, status);
      expect((await guarded.page.goto(path))?.status()).toBe(status);
      expect(await guarded.page.evaluate(() => document.documentElement.dataset.bsTheme)).toBe(colorScheme);
      violations.push(...(await accessibilityViolations(guarded.page)));
    };
    await visit(anonymous, '/books');
    await visit(anonymous, `/books/${graceBooks[0]}`);
    await visit(anonymous, '/no/such/page', 404);
    await visit(signedIn, '/books');
    await visit(signedIn, '/books/mine');
    await visit(signedIn, '/books/add');
    await visit(signedIn, `/books/${graceBooks[1]}`);
    await visit(signedIn, '/account');
    expect(violations).toEqual([]);
  });

  async function asAdaIn(colorScheme: 'light' | 'dark'): Promise<GuardedContext> {
    ada ??= await HttpUser.signIn(rig.app.baseUrl, ADA);
    return person({ storageState: ada.storageState(), colorScheme });
  }

  it('has no serious accessibility violations on the pages anyone sees', async () => {
    const anonymous = await person();
    const violations = [
      ...(await violationsAt(anonymous, '/books')),
      ...(await violationsAt(anonymous, `/books/${graceBooks[0]}`)),
      ...(await violationsAt(anonymous, `/books/${graceBooks[1]}`)),
      ...(await violationsAt(anonymous, '/no/such/page', 404)),
    ];
    expect(violations).toEqual([]);
  });

  it('has no serious accessibility violations on the identity provider’s sign-in and consent pages', async () => {
    const { page, problems } = await person();
    await page.goto('/books');
    await page.getByRole('link', { name: 'Login' }).click();
    await page.getByLabel('Email').waitFor();
    const violations = await seriousAccessibilityViolations(page);

    // The form with an error.
    await page.getByLabel('Email').fill('not an email');
    problems.expectErrorStatus(new URL(page.url()).pathname + '/login', 422);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#email-error').waitFor();
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    violations.push(...(await seriousAccessibilityViolations(page)));

    await page.getByLabel('Email').fill(GRACE.email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const allow = page.getByRole('button', { name: 'Allow' });
    await allow
      .or(page.getByRole('button', { name: 'Sign out' }))
      .first()
      .waitFor();
    if (await allow.isVisible()) violations.push(...(await seriousAccessibilityViolations(page)));
    expect(violations).toEqual([]);
  });

  it('has no serious accessibility violations on the pages a signed-in owner sees', async () => {
    const ada = await asAda();
    const violations = [...(await violationsAt(ada, '/books/mine')), ...(await violationsAt(ada, '/books/add'))];
    // The form again, with errors at the fields.
    await ada.page.getByLabel('Author').fill('Someone');
    await ada.page.getByRole('button', { name: 'Save' }).click();
    await ada.page.locator('#title-error').waitFor();
    violations.push(...(await seriousAccessibilityViolations(ada.page)));

    await ada.page.getByLabel('Title').fill('Ada’s notes');
    await ada.page.getByRole('button', { name: 'Save' }).click();
    await ada.page.waitForURL(/\/books\/\d+$/);
    const bookPath = pathOf(ada.page);
    violations.push(
      ...(await seriousAccessibilityViolations(ada.page)),
      ...(await violationsAt(ada, `${bookPath}/edit`)),
      ...(await violationsAt(ada, `${bookPath}/delete`)),
      ...(await violationsAt(ada, `/books/${graceBooks[0]}/edit`, 403)),
      ...(await violationsAt(ada, '/logout')),
      ...(await violationsAt(ada, '/account')),
      ...(await violationsAt(ada, '/account/delete')),
    );
    expect(violations).toEqual([]);
  });

  it('lets a keyboard-only person sign in, add, edit and delete a book and sign out, with focus always visible', async () => {
    const { page } = await person();
    // Listening turns on file chooser interception, which Chromium needs before the chooser opens.
    page.on('filechooser', () => undefined);
    const cover = await writeCoverPng('#9c6644');
    const focusProblems: string[] = [];
    const tab = async (target: Locator) => focusProblems.push(...(await tabTo(page, target)));
    /** Past the navigation, as a keyboard user does once they know it: the skip link, then Tab. */
    const skipToContent = async () => {
      await tab(page.getByRole('link', { name: 'Skip to content' }));
      await page.keyboard.press('Enter');
      await page.waitForURL('**#main');
    };
    try {
      await page.goto('/books');
      // The first stop is the skip link, and it becomes visible.
      await page.keyboard.press('Tab');
      const skip = page.getByRole('link', { name: 'Skip to content' });
      expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await skip.isVisible()).toBe(true);
      expect((await focusState(page)).problem).toBeNull();

      // Sign in.
      await tab(page.getByRole('link', { name: 'Login' }));
      await page.keyboard.press('Enter');
      await page.getByLabel('Email').waitFor();
      await tab(page.getByLabel('Email'));
      await page.keyboard.type(ADA.email);
      await tab(page.getByLabel('Name'));
      await page.keyboard.type(ADA.name);
      await page.keyboard.press('Enter');
      await finishAtProvider(page, async (allow) => {
        await tab(allow);
        await page.keyboard.press('Enter');
      });
      expect(pathOf(page)).toBe('/books');

      // Add a book, choosing the cover from the keyboard.
      await tab(page.getByRole('link', { name: 'Add book' }));
      await page.keyboard.press('Enter');
      await page.waitForURL('**/books/add');
      await skipToContent();
      await tab(page.getByLabel('Title'));
      await page.keyboard.type('Keyboard Book');
      await tab(page.getByLabel('Author'));
      await page.keyboard.type('Alan Turing');
      await tab(page.getByLabel('Description'));
      await page.keyboard.type('First line.');
      await page.keyboard.press('Enter');
      await page.keyboard.type('Second line.');
      await tab(page.getByLabel('Cover image'));
      const chooser = page.waitForEvent('filechooser');
      await page.keyboard.press('Space');
      await (await chooser).setFiles(cover.path);
      await page.getByRole('img', { name: 'The new cover you chose' }).waitFor();
      await tab(page.getByRole('button', { name: 'Save' }));
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/books\/\d+$/);
      const bookPath = pathOf(page);
      expect(await flashText(page)).toBe('Added “Keyboard Book”.');
      expect(await page.locator('.description').innerText()).toBe('First line.\nSecond line.');
      expect(await page.getByRole('img', { name: 'Cover of Keyboard Book' }).getAttribute('src')).toMatch(/^\/covers\//);

      // Edit it: replace the title, remove the cover with the checkbox.
      await skipToContent();
      await tab(page.getByRole('link', { name: 'Edit book' }));
      await page.keyboard.press('Enter');
      await page.waitForURL(`**${bookPath}/edit`);
      await skipToContent();
      await tab(page.getByLabel('Title'));
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type('Keyboard Book, revised');
      await tab(page.getByLabel('Remove the current cover'));
      await page.keyboard.press('Space');
      expect(await page.getByLabel('Remove the current cover').isChecked()).toBe(true);
      await tab(page.getByRole('button', { name: 'Save' }));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Keyboard Book, revised' }).waitFor();
      expect(await flashText(page)).toBe('Saved your changes.');
      expect(await page.getByRole('img', { name: 'No cover' }).isVisible()).toBe(true);

      // Delete it through the confirmation page.
      await skipToContent();
      await tab(page.getByRole('link', { name: 'Delete book' }));
      await page.keyboard.press('Enter');
      await page.waitForURL(`**${bookPath}/delete`);
      await skipToContent();
      await tab(page.getByRole('button', { name: 'Delete book' }));
      await page.keyboard.press('Enter');
      await page.waitForURL('**/books/mine');
      expect(await flashText(page)).toBe('Deleted “Keyboard Book, revised”.');

      // The account page, from the name in the navbar, and its delete confirmation.
      await tab(page.getByRole('link', { name: ADA.name }));
      await page.keyboard.press('Enter');
      await page.waitForURL('**/account');
      await skipToContent();
      await tab(page.getByRole('link', { name: 'Delete your account and everything you added' }));
      await page.keyboard.press('Enter');
      await page.waitForURL('**/account/delete');
      await skipToContent();
      await tab(page.getByRole('link', { name: 'Cancel' }));
      await page.keyboard.press('Enter');
      await page.waitForURL('**/account');

      // Sign out.
      await tab(page.getByRole('button', { name: 'Sign out', exact: true }));
      await page.keyboard.press('Enter');
      await page.getByRole('link', { name: 'Login' }).waitFor();
      expect(await flashText(page)).toBe('You have signed out.');
    } finally {
      cover.remove();
    }
    expect(focusProblems).toEqual([]);
  });

  it('would notice a serious violation or an invisible focus, so the checks above can fail', async () => {
    const { page } = await person();
    await page.goto('/books');
    // CSSOM and DOM changes from a script the page did not load: the CSP allows them, as it should.
    await page.evaluate(() => {
      const img = document.createElement('img');
      img.src = '/static/placeholder.svg';
      document.querySelector('main')!.append(img);
      const login = Array.from(document.querySelectorAll('a')).find((a) => a.textContent === 'Login')!;
      login.style.setProperty('outline', 'none', 'important');
    });
    expect(await seriousAccessibilityViolations(page)).toContainEqual(expect.stringMatching(/^critical image-alt /));
    expect(await tabTo(page, page.getByRole('link', { name: 'Login' }))).toEqual([expect.stringMatching(/^<a> Login: no visible outline/)]);
  });
});
