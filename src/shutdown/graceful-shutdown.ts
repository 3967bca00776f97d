import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';

/** Platforms send SIGKILL 10 s after SIGTERM (Cloud Run, Kubernetes' default): be gone before that. */
export const SHUTDOWN_DEADLINE_MS = 9000;
const SWEEP_INTERVAL_MS = 100;
/** How long a connection accepted but still without a request may take to send it, once draining. */
const FIRST_REQUEST_GRACE_MS = 1000;

interface Tracked {
  connectedAt: number;
  served: boolean;
  active: number;
}

/**
 * Completes Nest's shutdown hooks (`enableShutdownHooks`: stop accepting, wait for the server to close,
 * then `onApplicationShutdown` closes pools and stores) so that the server closes as soon as the
 * requests in flight are answered, and no request that reached the app is cut off:
 *
 * - Every response still to be sent says `Connection: close`, and keep-alive connections close as soon
 *   as they are idle (Node's `server.close()` closes only those idle at that instant; one whose request
 *   finishes later would hold the server open for the whole keep-alive timeout).
 * - Node's `closeIdleConnections` also destroys connections just accepted whose first request has not
 *   been read yet, which resets that request. Those get a moment to send it instead.
 * - A request that never finishes (a stuck client) cannot hold the process past the deadline: it then
 *   exits with 1, saying so.
 */
export function closePromptlyOn(signals: NodeJS.Signals[], server: Server, deadlineMs = SHUTDOWN_DEADLINE_MS): void {
  const logger = new Logger('Shutdown');
  const connections = new Map<Socket, Tracked>();
  const responses = new Set<ServerResponse>();
  let draining = false;

  server.on('connection', (socket: Socket) => {
    connections.set(socket, { connectedAt: Date.now(), served: false, active: 0 });
    socket.once('close', () => connections.delete(socket));
  });
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const tracked = connections.get(req.socket);
    if (tracked) {
      tracked.served = true;
      tracked.active++;
    }
    responses.add(res);
    res.once('close', () => {
      responses.delete(res);
      if (tracked) tracked.active--;
    });
    if (draining) res.shouldKeepAlive = false;
  });

  const closeIdle = () => {
    const now = Date.now();
    for (const [socket, { connectedAt, served, active }] of connections) {
      if (active === 0 && (served || now - connectedAt > FIRST_REQUEST_GRACE_MS)) socket.destroy();
    }
  };

  const drain = (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    logger.log(`${signal}: refusing new connections, finishing ${responses.size} request(s) in flight, then closing pools and stores`);
    // Used by server.close() too, in place of Node's own.
    server.closeIdleConnections = closeIdle;
    for (const res of responses) if (!res.headersSent) res.setHeader('Connection', 'close');
    closeIdle();
    setInterval(closeIdle, SWEEP_INTERVAL_MS).unref();
    setTimeout(() => {
      logger.error(`Requests still in flight after ${deadlineMs} ms: exiting anyway`);
      process.exit(1);
    }, deadlineMs).unref();
  };
  for (const signal of signals) process.once(signal, drain);
}
