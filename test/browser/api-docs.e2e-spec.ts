import { type BrowserRig, describeInBrowser, type GuardedContext, openGuardedContext, startBrowserRig } from '../helpers/browser';

/** The API's interactive reference in a real browser: it renders from our origin, within the CSP. */
describeInBrowser('The API reference in a real browser', () => {
  let rig: BrowserRig;
  let guarded: GuardedContext | undefined;

  beforeAll(async () => {
    rig = await startBrowserRig();
  });

  afterAll(async () => {
    await guarded?.context.close();
    await rig?.stop();
  });

  it('shows every route of the document, with no CSP violation, console error or request to another origin', async () => {
    guarded = await openGuardedContext(rig.browser, { baseURL: rig.app.baseUrl });
    const origins = new Set<string>();
    guarded.page.on('request', (request) => origins.add(new URL(request.url()).origin));
    const response = await guarded.page.goto('/api/docs');
    expect(response?.status()).toBe(200);
    // Swagger UI renders one block per operation once it has fetched /api/openapi.json.
    await guarded.page.locator('.opblock').first().waitFor();
    const operations = await guarded.page.locator('.opblock-summary-path').allInnerTexts();
    expect(new Set(operations.map((path) => path.replace(/\u200b/g, '').trim()))).toEqual(
      new Set(['/api/v1/books', '/api/v1/books/{id}', '/api/v1/books/{id}/cover']),
    );
    expect([...origins]).toEqual([new URL(rig.app.baseUrl).origin]);
    expect(guarded.problems.list()).toEqual([]);
  });
});
