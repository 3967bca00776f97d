import { Logger } from '@nestjs/common';
import { createClient } from 'redis';
import { CONNECT_TIMEOUT_MS } from './backend-limits';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * A node-redis client for `url` that never hangs a request: while Redis is unreachable every command fails
 * at once (`disableOfflineQueue`), and the client keeps reconnecting in the background (at most a second
 * between attempts), so the app recovers by itself. Does not wait for Redis: the app starts without it.
 * `purpose` names what is unavailable while it is down, in the one warning logged per outage.
 */
export function connectRedis(url: string, purpose: string): RedisClient {
  const logger = new Logger('Redis');
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 1000),
    },
  });
  // Without a listener an `error` event would crash the process. Log once per outage, not per retry.
  let reachable = true;
  client.on('error', (error: Error) => {
    if (reachable) logger.warn(`Redis unreachable, ${purpose} unavailable: ${error.message}`);
    reachable = false;
  });
  client.on('ready', () => {
    if (!reachable) logger.log(`Redis reachable again (${purpose})`);
    reachable = true;
  });
  // Resolves on the first successful connection, however late; rejects only when closed before that.
  client.connect().catch(() => undefined);
  return client as RedisClient;
}
