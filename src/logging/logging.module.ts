import { type DynamicModule, Module, RequestMethod } from '@nestjs/common';
import type { RequestHandler } from 'express';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { createHttpLogger } from './http-logger';

/**
 * The request-logging middleware. `configureApp` mounts it before any other middleware, so that every
 * response is logged and timed, including those that static files, body limits (413) or an
 * unreachable session store (503) answer before Nest's own middleware would run.
 */
export class RequestLogger {
  constructor(readonly middleware: RequestHandler) {}
}

/**
 * Structured logs with nestjs-pino: `app.useLogger(app.get(Logger))` sends Nest's own logs through the
 * same pino instance, and log lines written while serving a request carry that request's id.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    const http = createHttpLogger(config);
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // pino-http runs in configureApp already; nestjs-pino only binds its request logger to the context.
          pinoHttp: { logger: http.logger },
          useExisting: true,
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        }),
      ],
      providers: [{ provide: RequestLogger, useValue: new RequestLogger(http as unknown as RequestHandler) }],
      exports: [RequestLogger],
    };
  }
}
