import { Logger, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { BookshelfExpressAdapter } from './common/express-adapter';
import type { AppConfig } from './config/app-config';
import { configureApp } from './configure-app';
import { closePromptlyOn } from './shutdown/graceful-shutdown';

const SHUTDOWN_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * The Nest app of a validated config, on Bookshelf's Express adapter, not yet configured: what `bootstrap` and the
 * tests' in-process app both start from. No body parser: `configureApp` parses bodies, with limits.
 */
export function createApp(config: AppConfig, options: Omit<NestApplicationOptions, 'bodyParser'> = {}): Promise<NestExpressApplication> {
  return NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), new BookshelfExpressAdapter(), {
    ...options,
    bodyParser: false,
  });
}

/** Creates, configures and starts the app with a validated config (main.ts loads it first). */
export async function bootstrap(config: AppConfig): Promise<void> {
  const app = await createApp(config, { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  // On SIGTERM: stop accepting, let in-flight requests finish, then close pools and stores, then exit 0.
  app.enableShutdownHooks(SHUTDOWN_SIGNALS, { useProcessExit: true });
  closePromptlyOn(SHUTDOWN_SIGNALS, app.getHttpServer());
  await configureApp(app);
  const logger = new Logger('Bookshelf');
  if (config.dotenvFile) logger.log(`Read settings from ${config.dotenvFile} (variables set in the environment win)`);
  if (config.otlpEndpoint) logger.log(`Tracing with OpenTelemetry, exporting OTLP to ${config.otlpEndpoint}`);
  try {
    await app.listen(config.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    // One line, not a stack trace: the common case is a second `npm start`.
    console.error(`Port ${config.port} is already in use: stop what listens there, or set PORT to another port (PORT=8081 npm start)`);
    process.exit(1);
  }
  logger.log(`Listening on ${config.baseUrl.origin} (port ${config.port})`);
}
