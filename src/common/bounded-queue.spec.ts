import { BoundedQueue } from './bounded-queue';
import { Busy } from './domain-errors';

/** A task that runs until the test lets it finish, and records that it started. */
function controllable(name: string, started: string[]) {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = () => resolve(name);
    fail = reject;
  });
  const task = () => {
    started.push(name);
    return done;
  };
  return { task, finish, fail };
}

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe(BoundedQueue.name, () => {
  afterEach(() => jest.useRealTimers());

  it('runs at most `running` tasks at once, the others in arrival order', async () => {
    const queue = new BoundedQueue({ running: 2, waiting: 5, maxWaitMs: 60_000 });
    const started: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => controllable(name, started));

    const results = [a, b, c, d].map(({ task }) => queue.run(task));
    await settle();
    expect(started).toEqual(['a', 'b']);

    b.finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    a.finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    c.finish();
    d.finish();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses a task with Busy (and its Retry-After) at once when the waiting places are taken, never starting it', async () => {
    const queue = new BoundedQueue({ running: 2, waiting: 1, maxWaitMs: 60_000 });
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => controllable(name, started));

    const results = tasks.map(({ task }) => queue.run(task));

    await expect(results[3]).rejects.toBeInstanceOf(Busy);
    await expect(results[3]).rejects.toMatchObject({ retryAfterSeconds: 5 });
    tasks.forEach(({ finish }) => finish());
    await expect(Promise.all(results.slice(0, 3))).resolves.toEqual(['a', 'b', 'c']);
    expect(started).toEqual(['a', 'b', 'c']);
  });

  it('gives up on a task with Busy when it waited `maxWaitMs`, freeing its place', async () => {
    jest.useFakeTimers();
    const queue = new BoundedQueue({ running: 1, waiting: 1, maxWaitMs: 10_000 });
    const started: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((name) => controllable(name, started));
    const first = queue.run(a.task);
    const second = queue.run(b.task);
    const secondRefused = expect(second).rejects.toBeInstanceOf(Busy);

    await jest.advanceTimersByTimeAsync(9_999);
    await expect(queue.run(c.task)).rejects.toBeInstanceOf(Busy); // b still holds the only waiting place
    await jest.advanceTimersByTimeAsync(1);
    await secondRefused;
    const third = queue.run(c.task);

    a.finish();
    await jest.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['a', 'c']);
    c.finish();
    await expect(Promise.all([first, third])).resolves.toEqual(['a', 'c']);
  });

  it('frees the slot of a task that fails', async () => {
    const queue = new BoundedQueue({ running: 1, waiting: 1, maxWaitMs: 60_000 });
    const started: string[] = [];
    const [a, b] = ['a', 'b'].map((name) => controllable(name, started));
    const first = queue.run(a.task);
    const second = queue.run(b.task);

    a.fail(new Error('decoder failed'));

    await expect(first).rejects.toThrow('decoder failed');
    b.finish();
    await expect(second).resolves.toBe('b');
    await expect(queue.run(async () => 'after')).resolves.toBe('after');
  });
});
