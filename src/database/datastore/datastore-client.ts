import { Datastore } from '@google-cloud/datastore';
import { QUERY_TIMEOUT_MS } from '../backend-limits';

/**
 * Per-call options for every Datastore request. The client's defaults retry for up to 10 minutes; here
 * one attempt with the query deadline: a refused connection fails in milliseconds, a silent service in
 * 1.5 s, and the person's next request is the retry (the channel reconnects on its own once the service
 * is back).
 */
export const DATASTORE_CALL = { timeout: QUERY_TIMEOUT_MS, maxRetries: 0 };

/**
 * A client for `projectId`. `DATASTORE_EMULATOR_HOST`, when set, is honoured by the client itself.
 * Firestore in Datastore mode answers every query with strong consistency; the legacy Cloud
 * Datastore answered queries without an ancestor eventually consistently, so on it a book could
 * appear in a list a moment after it was saved.
 */
export function createDatastore(projectId: string | undefined): Datastore {
  return new Datastore({ projectId });
}

/**
 * The SDK has no close(); its gRPC clients do, and open channels would keep a test process alive. Their
 * typings say close() returns nothing, though it returns a promise: `async` waits for it either way.
 */
export async function closeDatastore(datastore: Datastore): Promise<void> {
  await Promise.all([...datastore.clients_.values()].map(async (client) => client.close()));
}

/** gRPC status codes that the adapters tell apart from an outage. */
export const GRPC_INVALID_ARGUMENT = 3;
export const GRPC_NOT_FOUND = 5;

export function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
