/**
 * docs/architecture.md section 4: a database or session store that fails gives a 503 page within 2 s, never a
 * hang. Client defaults wait (and retry, and queue) for far longer, so every client (SQL pools, mongoose,
 * node-redis, Datastore) gets these instead: a connection within 1 s, an answer within 1.5 s, so that the
 * error page, rendered after the timeout, is out in time.
 */
export const CONNECT_TIMEOUT_MS = 1000;
export const QUERY_TIMEOUT_MS = 1500;
