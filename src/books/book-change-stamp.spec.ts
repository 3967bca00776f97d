import { sharedReads } from './book-change-stamp';

describe(sharedReads.name, () => {
  /** Reads that finish only when the test says so. */
  function controlledReads() {
    const pending: { resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
    const read = () => new Promise<string>((resolve, reject) => pending.push({ resolve, reject }));
    return { read, pending };
  }
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('gives a caller alone a read of its own', async () => {
    const { read, pending } = controlledReads();
    const shared = sharedReads(read);
    const first = shared();
    pending[0].resolve('a');
    await expect(first).resolves.toBe('a');
    const second = shared();
    expect(pending).toHaveLength(2);
    pending[1].resolve('b');
    await expect(second).resolves.toBe('b');
  });

  it('never answers a caller with a read that began before its call: those who call meanwhile share the next', async () => {
    const { read, pending } = controlledReads();
    const shared = sharedReads(read);
    const first = shared();
    const [second, third] = [shared(), shared()];
    await settle();
    expect(pending).toHaveLength(1);

    pending[0].resolve('before');
    await expect(first).resolves.toBe('before');
    await settle();
    expect(pending).toHaveLength(2);
    pending[1].resolve('after');

    await expect(Promise.all([second, third])).resolves.toEqual(['after', 'after']);
  });

  it('fails those waiting with a failed read at once (one deadline, not two), and reads afresh for the next caller', async () => {
    const { read, pending } = controlledReads();
    const shared = sharedReads(read);
    const failing = shared();
    const waiting = shared();
    pending[0].reject(new Error('down'));
    await expect(failing).rejects.toThrow('down');
    await expect(waiting).rejects.toThrow('down');
    expect(pending).toHaveLength(1);
    const next = shared();
    expect(pending).toHaveLength(2);
    pending[1].resolve('back');
    await expect(next).resolves.toBe('back');
  });
});
