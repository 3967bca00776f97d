import type { Cookie, Page } from 'playwright-core';
import { CHOOSE_ACCOUNT_COOKIE } from '../../src/auth/choose-account-cookie';
import { SESSION_COOKIE } from '../../src/sessions/session-cookie';
import {
  type BrowserRig,
  describeInBrowser,
  finishAtProvider,
  flashText,
  type GuardedContext,
  openGuardedContext,
  seriousAccessibilityViolations,
  signInThroughProvider,
  startBrowserRig,
} from '../helpers/browser';

const ADA = { email: 'ada@example.com', name: 'Ada Lovelace' };
const GRACE = { email: 'grace@example.com', name: 'Grace Hopper' };

describeInBrowser('Signing in again after signing out, in a real browser', () => {
  let rig: BrowserRig;
  let guarded: GuardedContext | undefined;

  beforeAll(async () => {
    rig = await startBrowserRig();
  });

  afterAll(async () => {
    await rig?.stop();
  });

  afterEach(async () => {
    const problems = guarded?.problems.list() ?? [];
    await guarded?.context.close();
    guarded = undefined;
    expect(problems).toEqual([]);
  });

  const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

  async function signOut(page: Page): Promise<void> {
    await nav(page).getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Login' }).waitFor();
    // The page's script drops the notice from the address once shown (interface.e2e-spec).
    await page.waitForURL((url) => url.pathname === '/books' && url.search === '');
    expect(await flashText(page)).toBe('You have signed out.');
  }

  /** Clicks `Login` and expects the provider's sign-in page, not an immediate sign-in. */
  async function loginShowsProviderPage(page: Page): Promise<void> {
    await page.getByRole('link', { name: 'Login' }).click();
    await page
      .getByRole('heading', { name: 'Sign in (development)' })
      .or(nav(page).getByRole('button', { name: 'Sign out' }))
      .first()
      .waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/dev-idp\/interaction\//);
  }

  async function signedInAs(page: Page, name: string): Promise<void> {
    await finishAtProvider(page);
    // Back where Login was clicked (after a sign-out, `/books?notice=signed-out`); the flash wins over the notice.
    expect(new URL(page.url()).pathname).toBe('/books');
    expect(await flashText(page)).toBe(`Signed in as ${name}.`);
    expect(await nav(page).getByText(name).isVisible()).toBe(true);
  }

  async function chooseAccountCookie(): Promise<Cookie | undefined> {
    return (await guarded!.context.cookies()).find((c) => c.name === CHOOSE_ACCOUNT_COOKIE);
  }

  it('shows the provider’s page at the next Login after signing out, so another person can sign in', async () => {
    guarded = await openGuardedContext(rig.browser, { baseURL: rig.app.baseUrl });
    const { page } = guarded;
    await page.goto('/books');
    await signInThroughProvider(page, ADA);
    expect(await flashText(page)).toBe(`Signed in as ${ADA.name}.`);
    expect(await chooseAccountCookie()).toBeUndefined();

    // Signed out, Login asks again: the provider's page, offering Ada's email and a way to use another.
    await signOut(page);
    await loginShowsProviderPage(page);
    expect(await chooseAccountCookie()).toMatchObject({ value: '1', httpOnly: true, sameSite: 'Lax' });
    expect(await page.getByLabel('Email').inputValue()).toBe(ADA.email);
    expect(await page.getByLabel('Name').inputValue()).toBe('');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // Grace signs in from it.
    await page.getByRole('link', { name: 'Use another account' }).click();
    await page.getByRole('heading', { name: 'Sign in (development)' }).waitFor();
    expect(await page.getByLabel('Email').inputValue()).toBe('');
    await page.getByLabel('Email').fill(GRACE.email);
    await page.getByLabel('Name').fill(GRACE.name);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signedInAs(page, GRACE.name);
    expect(await chooseAccountCookie()).toBeUndefined();

    // And after Grace signs out, Ada again, by changing the email offered (her name is remembered).
    await signOut(page);
    await loginShowsProviderPage(page);
    expect(await page.getByLabel('Email').inputValue()).toBe(GRACE.email);
    await page.getByLabel('Email').fill(ADA.email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signedInAs(page, ADA.name);
  });

  it('signs the same person straight back in when the session merely ended, without a sign-out', async () => {
    guarded = await openGuardedContext(rig.browser, { baseURL: rig.app.baseUrl });
    const { page, context } = guarded;
    await page.goto('/books');
    await signInThroughProvider(page, ADA);
    await signOut(page);
    await loginShowsProviderPage(page);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signedInAs(page, ADA.name);

    // The session ends without a sign-out (it expired, say): the next Login is silent, as before.
    await context.clearCookies({ name: SESSION_COOKIE });
    await page.goto('/books');
    await page.getByRole('link', { name: 'Login' }).click();
    await signedInAs(page, ADA.name);
  });
});
