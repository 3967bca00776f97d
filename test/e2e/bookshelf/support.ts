import { startApp } from '../../helpers/app-process';
import { startInProcessApp } from '../../helpers/in-process-app';
import { type Page, WebClient } from '../../helpers/web-client';

/**
 * What the Bookshelf HTTP suites in this folder share. Each file is one concern, runs on every data
 * backend (`describeOnEveryBackend`), and picks the kind of app it runs against:
 * - `in-process`: the production AppModule and configureApp in the Jest process (fast; no build of the app);
 * - `built`: dist/main.js as its own process, as `npm start` runs it, signing in through the provider
 *   mounted in the app (AUTH_PROVIDER=dev), which proves the build itself.
 */
export type AppKind = 'in-process' | 'built';

export const XSS = `<script>alert(1)</script>"'><img src=x onerror=alert(1)>`;

/** An app under test of either kind. */
export interface TestApp {
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

export async function startBookshelfApp(kind: AppKind, env: Record<string, string>): Promise<TestApp> {
  if (kind === 'in-process') return startInProcessApp(env);
  const app = await startApp(env);
  return { baseUrl: app.baseUrl, port: app.port, close: async () => void (await app.stop()) };
}

/** The app, and Ada and Bob signed in to it. */
export async function startBookshelf(
  kind: AppKind,
  env: Record<string, string>,
): Promise<{ app: TestApp; ada: WebClient; bob: WebClient }> {
  const app = await startBookshelfApp(kind, env);
  try {
    const ada = new WebClient(app.baseUrl);
    const bob = new WebClient(app.baseUrl);
    await ada.signIn('ada@example.com', 'Ada Lovelace');
    await bob.signIn('bob@example.com', 'Bob');
    return { app, ada, bob };
  } catch (error) {
    await app.close();
    throw error;
  }
}

/**
 * The app of one suite, with Ada and Bob signed in: started before the suite's tests, closed after them.
 * `use` receives them (`(started) => ({ app, ada, bob } = started)`), so that a file keeps its own names.
 */
export function withBookshelf(
  kind: AppKind,
  backend: { readonly env: Record<string, string> },
  use: (started: { app: TestApp; ada: WebClient; bob: WebClient }) => void,
): void {
  let app: TestApp | undefined;
  beforeAll(async () => {
    const started = await startBookshelf(kind, backend.env);
    app = started.app;
    use(started);
  });
  afterAll(async () => {
    await app?.close();
  });
}

export function bookForm(
  client: WebClient,
  fields: Record<string, string>,
  cover?: { bytes: Buffer; name: string; type: string },
): FormData {
  const form = new FormData();
  form.set('_csrf', client.csrfToken());
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  if (cover) form.set('image', new Blob([new Uint8Array(cover.bytes)], { type: cover.type }), cover.name);
  return form;
}

/** The id in a `/books/{id}` Location header. */
export function bookIdOf(page: Page): string {
  const location = page.headers.get('location') ?? '';
  const match = /^\/books\/([^/]+)$/.exec(location);
  if (!match) throw new Error(`Expected a redirect to a book, got ${page.status} ${location}:\n${page.body.slice(0, 1500)}`);
  return decodeURIComponent(match[1]);
}

export function titlesOn(page: Page): string[] {
  return page.html.querySelectorAll('.book-list h2').map((h) => h.text);
}

/** Adds a book through the form (multipart, with a PNG cover if given) and returns its id. */
export async function addBook(client: WebClient, fields: Record<string, string>, cover?: Buffer): Promise<string> {
  await client.get('/books/add');
  const response = await client.post(
    '/books/add',
    bookForm(client, fields, cover ? { bytes: cover, name: 'cover.png', type: 'image/png' } : undefined),
  );
  return bookIdOf(response);
}
