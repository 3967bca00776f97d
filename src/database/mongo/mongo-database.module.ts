import { type DynamicModule, Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { getConnectionToken, MongooseModule, type MongooseModuleFactoryOptions } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { AppConfig } from '../../config/app-config';
import { CONNECT_TIMEOUT_MS, QUERY_TIMEOUT_MS } from '../backend-limits';
import { MONGO_CONNECTION } from '../database-clients';
import { DatabaseHealth } from '../database-health';
import type { FeatureStorage } from '../feature-storage';

const logger = new Logger('MongoDB');
/** The names of every registered model, for building their indexes. */
const MODEL_NAMES = 'MongoModelNames';

function connectionOptions(config: AppConfig): MongooseModuleFactoryOptions {
  return {
    uri: config.mongodbUrl,
    // Fail at once while the server is unreachable, instead of queueing operations until it returns.
    bufferCommands: false,
    serverSelectionTimeoutMS: CONNECT_TIMEOUT_MS,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    // Applies only while a reply is awaited; idle pooled sockets are not timed out.
    socketTimeoutMS: QUERY_TIMEOUT_MS,
    // A retry would wait for server selection again, past the 2 s budget (measured: 2.5 to 3 s while
    // the server hangs). The person's next request is the retry.
    retryReads: false,
    retryWrites: false,
    // Real MongoDB creates a collection on its first insert anyway; jongodb (our test server) has no `create`.
    autoCreate: false,
    // Indexes are created once at start and awaited (see onModuleInit), not in the background.
    autoIndex: false,
    // A server that is a little late at start is waited for, briefly (the default is 9 times 3 s).
    retryAttempts: 2,
    retryDelay: 1000,
    onConnectionCreate(connection) {
      // The server, too, gives up on a query (every mongoose query on this connection gets maxTimeMS).
      connection.set('maxTimeMS', QUERY_TIMEOUT_MS);
      // Without a listener an 'error' event would crash the process.
      connection.on('error', (error: Error) => logger.warn(`Connection: ${error.message}`));
    },
  };
}

/**
 * MongoDB (`MONGODB_URL`, database in the path) through @nestjs/mongoose: one connection (closed by
 * @nestjs/mongoose at shutdown, exported as MONGO_CONNECTION), and every feature's models, whose
 * indexes are all built before the app serves.
 */
@Module({})
export class MongoDatabaseModule implements OnModuleInit {
  constructor(
    @Inject(MONGO_CONNECTION) private readonly connection: Connection,
    @Inject(MODEL_NAMES) private readonly modelNames: string[],
  ) {}

  static forRoot(features: readonly FeatureStorage[]): DynamicModule {
    const models = features.flatMap((f) => f.mongoModels?.() ?? []);
    const names = models.map((m) => m.name);
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate) throw new Error(`The mongoose model ${duplicate} is registered twice`);
    const registered = MongooseModule.forFeature(models);
    return {
      module: MongoDatabaseModule,
      imports: [MongooseModule.forRootAsync({ inject: [AppConfig], useFactory: connectionOptions }), registered],
      providers: [
        { provide: MONGO_CONNECTION, useExisting: getConnectionToken() },
        { provide: MODEL_NAMES, useValue: names },
        {
          provide: DatabaseHealth,
          inject: [MONGO_CONNECTION],
          useFactory: (connection: Connection): DatabaseHealth => ({
            // `ping` needs no privileges; server selection bounds it (1 s) while the server is away.
            check: async () => {
              await connection.db!.command({ ping: 1 });
            },
          }),
        },
      ],
      exports: [MONGO_CONNECTION, DatabaseHealth, registered],
    };
  }

  /**
   * Creates every registered model's indexes that are missing (never drops any, unlike syncIndexes).
   * With `autoIndex` off nothing else would: a model whose indexes are not built here has none.
   */
  async onModuleInit(): Promise<void> {
    for (const name of this.modelNames) await this.connection.model(name).createIndexes();
  }
}
