// DI tokens for the database clients that a data backend module shares with its session store.
// Plain strings, so that naming one loads no vendor SDK: a backend's SDK is loaded only when chosen.

/** The mongoose `Connection` of MongoBooksModule. */
export const MONGO_CONNECTION = 'MongoConnection';

/** The `Datastore` client of DatastoreBooksModule. */
export const DATASTORE_CLIENT = 'DatastoreClient';
