import { WebClient } from '../helpers/web-client';

/** One request's outcome, timed from the test's side. */
export interface Answer {
  path: string;
  status: number;
  ms: number;
}

/** ARCHITECTURE.md section 4: a database or session store outage is a 503 page within 2 s. */
export const OUTAGE_ANSWER_MS = 2000;

export async function timedGet(client: WebClient, path: string): Promise<Answer> {
  const started = Date.now();
  const page = await client.get(path, { follow: false });
  return { path, status: page.status, ms: Date.now() - started };
}

/** Adds a book through the form and returns its id. */
export async function addBook(client: WebClient, title: string): Promise<string> {
  await client.get('/books/add');
  const response = await client.post('/books/add', { _csrf: client.csrfToken(), title, author: 'Tester' });
  const id = /^\/books\/([^/]+)$/.exec(response.headers.get('location') ?? '')?.[1];
  if (!id) throw new Error(`Adding a book answered ${response.status}:\n${response.body.slice(0, 1000)}`);
  return id;
}

/**
 * Requests `paths` in a loop, a few at a time, until `stop()`: traffic that is in flight while a server
 * goes away and comes back. Every answer is recorded.
 */
export function backgroundTraffic(client: WebClient, paths: string[]): { stop(): Promise<Answer[]> } {
  const answers: Answer[] = [];
  let running = true;
  const loops = paths.map(async (path) => {
    while (running) answers.push(await timedGet(client, path));
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}
