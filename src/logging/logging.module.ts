import { type DynamicModule, Module } from '@nestjs/common';
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
 * same pino instance as the request log.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    const http = createHttpLogger(config);
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // The request log runs in configureApp already (useExisting). nestjs-pino would also make a child
          // logger per request bound through AsyncLocalStorage (forRoutes): that stays off; the request logger
          // binds the trace itself, to every line only where that is cheap (LOG_TRACE_EVERY_LINE).
          pinoHttp: { logger: http.logger },
          useExisting: true,
          forRoutes: [],
        }),
      ],
      providers: [{ provide: RequestLogger, useValue: new RequestLogger(http as unknown as RequestHandler) }],
      exports: [RequestLogger],
    };
  }
}
