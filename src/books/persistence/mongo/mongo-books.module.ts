import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { getConnectionToken, InjectModel, MongooseModule, type MongooseModuleFactoryOptions } from '@nestjs/mongoose';
import type { Connection, Model } from 'mongoose';
import { CONNECT_TIMEOUT_MS, QUERY_TIMEOUT_MS } from '../../../common/backend-limits';
import { DatabaseHealth } from '../../../common/database-health';
import { AppConfig } from '../../../config/app-config';
import { BooksRepository } from '../../books.repository';
import { MONGO_CONNECTION } from '../backend-clients';
import { BookSchema, MongoBook } from './book.schema';
import { MongoBooksRepository } from './mongo-books.repository';


const logger = new Logger('MongoDB');

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
 * Books in MongoDB (`MONGODB_URL`, database in the path), through @nestjs/mongoose. The connection
 * is closed by @nestjs/mongoose at application shutdown; it is exported as MONGO_CONNECTION for the
 * session store.
 */
@Module({
  imports: [
    MongooseModule.forRootAsync({ inject: [AppConfig], useFactory: connectionOptions }),
    MongooseModule.forFeature([{ name: MongoBook.name, schema: BookSchema }]),
  ],
  providers: [
    { provide: MONGO_CONNECTION, useExisting: getConnectionToken() },
    { provide: BooksRepository, useClass: MongoBooksRepository },
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
  exports: [MONGO_CONNECTION, BooksRepository, DatabaseHealth],
})
export class MongoBooksModule implements OnModuleInit {
  constructor(@InjectModel(MongoBook.name) private readonly books: Model<MongoBook>) {}

  /** Creates the list-order indexes if they are missing (never drops any, unlike syncIndexes). */
  async onModuleInit(): Promise<void> {
    await this.books.createIndexes();
  }
}
