import { loadConfig } from '../config/app-config';
import { startOpenTelemetry } from './open-telemetry';

describe(startOpenTelemetry.name, () => {
  it('loads nothing of OpenTelemetry without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(startOpenTelemetry(loadConfig({}))).toBeUndefined();
    expect(Object.keys(require.cache).filter((path) => /@opentelemetry[/\\](sdk-|instrumentation|exporter)/.test(path))).toEqual([]);
  });

  it('refuses an endpoint that is not an http(s) URL', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http\(s\) URL/,
    );
  });
});
