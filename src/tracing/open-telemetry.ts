import type { AppConfig } from '../config/app-config';

/** What is used of @opentelemetry/sdk-node, typed here so that the app compiles without the SDK installed. */
interface NodeSdk {
  start(): void;
  shutdown(): Promise<void>;
}
type Constructor<T> = new (options: Record<string, unknown>) => T;

/** The instrumentations: HTTP (Google's REST clients, Cloud Storage, go through it), Express, the drivers, gRPC (Datastore). */
const INSTRUMENTATIONS: [string, string][] = [
  ['@opentelemetry/instrumentation-http', 'HttpInstrumentation'],
  ['@opentelemetry/instrumentation-express', 'ExpressInstrumentation'],
  ['@opentelemetry/instrumentation-pg', 'PgInstrumentation'],
  ['@opentelemetry/instrumentation-mysql2', 'MySQL2Instrumentation'],
  ['@opentelemetry/instrumentation-mongodb', 'MongoDBInstrumentation'],
  ['@opentelemetry/instrumentation-redis-4', 'RedisInstrumentation'],
  ['@opentelemetry/instrumentation-grpc', 'GrpcInstrumentation'],
];

/**
 * Starts the OpenTelemetry Node SDK when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans of requests and of
 * database and Google API calls, exported over OTLP/HTTP to `${endpoint}/v1/traces` (the Google-built
 * collector beside a Cloud Run service, or any collector). Must run before the app's modules load, since
 * instrumentations patch `require`. Without the setting nothing of OpenTelemetry is loaded. The standard
 * OTEL_* variables (OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER, headers) are read by the SDK itself.
 */
export function startOpenTelemetry(config: AppConfig): NodeSdk | undefined {
  if (!config.otlpEndpoint) return undefined;
  const { NodeSDK } = require('@opentelemetry/sdk-node') as { NodeSDK: Constructor<NodeSdk> };
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as { OTLPTraceExporter: Constructor<unknown> };
  const instrumentations = INSTRUMENTATIONS.map(([name, exported]) => {
    const Instrumentation = (require(name) as Record<string, Constructor<unknown>>)[exported];
    // Health probes would be most of the spans.
    if (exported === 'HttpInstrumentation') {
      return new Instrumentation({ ignoreIncomingRequestHook: (req: { url?: string }) => /^\/(healthz|readyz)\b/.test(req.url ?? '') });
    }
    return new Instrumentation({});
  });
  const sdk = new NodeSDK({
    serviceName: config.serviceContext.service,
    traceExporter: new OTLPTraceExporter({ url: `${config.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` }),
    instrumentations,
  });
  sdk.start();
  return sdk;
}
