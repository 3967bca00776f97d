/**
 * Retries `attempt` until it resolves, for at most `timeoutMs`, then rethrows its last error.
 * For conditions that become true on their own (a client reconnecting, an eventually consistent
 * read): a bounded poll instead of a sleep.
 */
export async function eventually<T>(attempt: () => Promise<T>, { timeoutMs = 15_000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
