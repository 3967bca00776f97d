import { BackendUnavailable } from '../../common/domain-errors';

/** Any failure of a driver means the database cannot serve the request right now (503). */
export async function database<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new BackendUnavailable(error);
  }
}
