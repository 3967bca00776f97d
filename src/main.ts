import { ConfigError, loadConfig } from './config/app-config';
import { startOpenTelemetry } from './tracing/open-telemetry';

/**
 * The entry point: validate the configuration, start OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT asks
 * for it (before anything it instruments is loaded), then load and start the app.
 */
function main(): void {
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
  startOpenTelemetry(config);
  // Loaded only now, so that the instrumentations see Express, http and the database drivers load.
  void import('./app-bootstrap').then(({ bootstrap }) => bootstrap(config));
}

main();
