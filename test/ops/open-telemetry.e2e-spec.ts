import { createServer, type Server } from 'node:http';
import { type RunningApp, startApp } from '../helpers/app-process';
import { eventually } from '../helpers/eventually';

interface Span {
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

describe('OpenTelemetry tracing with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let receiver: Server;
  const spans: Span[] = [];
  let app: RunningApp;

  beforeAll(async () => {
    // An OTLP/HTTP receiver: the JSON encoding of ExportTraceServiceRequest on POST /v1/traces.
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/v1/traces') {
          const request = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] };
          for (const resource of request.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as { port: number };
    app = await startApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    });
  });

  afterAll(async () => {
    await app?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('exports a server span of a request to the collector, and none of the health probes', async () => {
    const page = await fetch(`${app.baseUrl}/books`);
    await page.text();
    const server = await eventually(async () => {
      const found = spans.find(
        (s) =>
          s.kind === 2 &&
          s.attributes.some((a) => ['http.target', 'url.path', 'http.route'].includes(a.key) && a.value.stringValue === '/books'),
      );
      if (!found) throw new Error(`no server span for /books among ${JSON.stringify(spans.map((s) => s.name))}`);
      return found;
    });
    expect(server.name).toMatch(/^GET/);
    expect(spans.filter((s) => s.attributes.some((a) => a.value.stringValue === '/healthz'))).toEqual([]);
    expect(app.output()).toContain('Tracing with OpenTelemetry');
  });
});
