import { WebClient } from '../helpers/web-client';

/** One request's outcome, timed from the test's side. */
export interface Answer {
  path: string;
  status: number;
  ms: number;
}

/** docs/architecture.md section 4: a database or session store outage is a 503 page within 2 s. */
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

/**
 * One person signed in with one book, on an app whose database the test takes away: the pages every
 * outage test probes, and what "working" and "unavailable" mean for them.
 */
export class OutageScene {
  private constructor(
    readonly ada: WebClient,
    readonly anonymous: WebClient,
    readonly bookId: string,
  ) {}

  static async open(baseUrl: string): Promise<OutageScene> {
    const ada = new WebClient(baseUrl);
    await ada.signIn('ada@example.com', 'Ada Lovelace');
    return new OutageScene(ada, new WebClient(baseUrl), await addBook(ada, 'Surviving outages'));
  }

  /** Pages for a visitor and for a signed-in person (whose session is in the database too), and readiness. */
  probes(): Promise<Answer>[] {
    return [
      timedGet(this.anonymous, '/books'),
      timedGet(this.anonymous, `/books/${this.bookId}`),
      timedGet(this.ada, '/books/mine'),
      timedGet(this.ada, `/books/${this.bookId}/edit`),
      timedGet(this.anonymous, '/readyz'),
    ];
  }

  /** Traffic from another visitor that is in flight while the server goes away and comes back. */
  traffic(): { stop(): Promise<Answer[]> } {
    return backgroundTraffic(new WebClient(this.anonymous.baseUrl), ['/books', `/books/${this.bookId}`, '/readyz']);
  }

  async expectWorking(): Promise<void> {
    const answers = await Promise.all(this.probes());
    expect(answers.map((a) => [a.path, a.status])).toEqual(answers.map((a) => [a.path, 200]));
    const mine = await this.ada.get('/books/mine');
    expect(mine.body).toContain('Ada Lovelace');
    expect(mine.body).toContain('Surviving outages');
  }

  async expectUnavailable(): Promise<void> {
    const answers = await Promise.all(this.probes());
    for (const answer of answers) {
      expect(answer).toEqual({ path: answer.path, status: 503, ms: expect.any(Number) });
      expect(answer.ms).toBeLessThan(OUTAGE_ANSWER_MS);
    }
    const page = await this.anonymous.get('/books');
    expect(page.body).toContain('cannot reach its database');
    // Liveness does not depend on the database: the process is fine and must not be restarted.
    expect((await timedGet(this.anonymous, '/healthz')).status).toBe(200);
  }

  /** After a restart that lost the server's memory: pages answer again (the book itself may be gone). */
  async expectServingAgain(): Promise<void> {
    expect((await timedGet(this.anonymous, '/books')).status).toBe(200);
    expect((await timedGet(this.anonymous, '/readyz')).status).toBe(200);
  }
}

/** Every answer during an outage was a 503 or `allowed`, in time, and the outage was seen. */
export function expectOutageAnswers(answers: Answer[], allowed: number[] = [200]): void {
  expect(answers.filter((a) => a.status === 503).length).toBeGreaterThan(0);
  for (const answer of answers) {
    expect([...allowed, 503]).toContain(answer.status);
    expect(answer.ms).toBeLessThan(OUTAGE_ANSWER_MS);
  }
}
