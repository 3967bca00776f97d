import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ConfigError, loadConfig } from './config/app-config';
import { configureApp } from './configure-app';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'];
/** Platforms send SIGKILL 10 s after SIGTERM (Cloud Run, Kubernetes' default): stop before that. */
const SHUTDOWN_DEADLINE_MS = 9000;

function shutdownDeadline(signal: string): void {
  const logger = new Logger('Shutdown');
  logger.log(`${signal}: refusing new connections, finishing requests in flight, then closing pools and stores`);
  setTimeout(() => {
    logger.error(`Requests still in flight after ${SHUTDOWN_DEADLINE_MS} ms: exiting anyway`);
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS).unref();
}

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  // On SIGTERM: stop accepting, let in-flight requests finish, then close pools and stores, then exit 0.
  app.enableShutdownHooks(SHUTDOWN_SIGNALS, { useProcessExit: true });
  for (const signal of SHUTDOWN_SIGNALS) process.once(signal, () => shutdownDeadline(signal));
  await configureApp(app);
  await app.listen(config.port);
  new Logger('Bookshelf').log(`Listening on ${config.baseUrl.origin} (port ${config.port})`);
}

void bootstrap();
