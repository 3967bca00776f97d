// DI tokens for the data backend's clients, provided by DatabaseModule to every feature's adapters.
// Plain strings, so that naming one loads no vendor SDK: a backend's SDK is loaded only when chosen.

/** The mongoose `Connection` (MongoDatabaseModule). */
export const MONGO_CONNECTION = 'MongoConnection';

/** The `Datastore` client (DatastoreDatabaseModule). */
export const DATASTORE_CLIENT = 'DatastoreClient';
