import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import express, { type Request, type Response } from 'express';
import { AppConfig } from '../config/app-config';
import { ApiModule } from './api.module';

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';

/** The OpenAPI 3 document of the JSON API, generated from its controllers' decorators and DTOs. */
export function buildOpenApiDocument(app: NestExpressApplication): OpenAPIObject {
  const config = app.get(AppConfig);
  const builder = new DocumentBuilder()
    .setTitle('Bookshelf API')
    .setDescription(
      'Books as JSON. Reads are open to everyone; writes need a personal access token with the `books:write` scope, ' +
        'made on /account/tokens and sent as `Authorization: Bearer bks_...`. Errors are `application/problem+json` (RFC 9457).',
    )
    .setVersion('1')
    .addServer(config.baseUrl.origin)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A personal access token, `bks_...`.' })
    .build();
  return SwaggerModule.createDocument(app, builder, { include: [ApiModule], operationIdFactory: (controller, method) => method });
}

// The reference page: Swagger UI's own files from our origin, and a tiny initializer file, so that it runs
// within the CSP (`script-src 'self'`, `style-src 'self'`: no inline script or style, no CDN).
const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bookshelf API reference</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${DOCS_PATH}/assets/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"><h1>Bookshelf API reference</h1><p>The machine-readable document is <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</p></main>
<script src="${DOCS_PATH}/assets/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/init.js"></script>
</body>
</html>
`;

const DOCS_INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '${OPENAPI_PATH}', dom_id: '#swagger-ui', deepLinking: true });
});
`;

/** Serves the document at /api/openapi.json and the interactive reference at /api/docs (GET, no session). */
export function serveApiDocs(app: NestExpressApplication): void {
  const document = JSON.stringify(buildOpenApiDocument(app));
  // The package's folder, not its index: that evaluates the whole 1.5 MB browser bundle, a quarter of a
  // second of start-up spent on code that only browsers run.
  const swaggerUi = (require('swagger-ui-dist/absolute-path.js') as () => string)();
  app.use(OPENAPI_PATH, (req: Request, res: Response, next: () => void) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path !== '/') return next();
    res.type('application/json').set('Cache-Control', 'no-cache').send(document);
  });
  app.use(`${DOCS_PATH}/assets`, express.static(swaggerUi, { maxAge: '1d', index: false }));
  app.use(DOCS_PATH, (req: Request, res: Response, next: () => void) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/init.js') return void res.type('text/javascript').set('Cache-Control', 'public, max-age=3600').send(DOCS_INIT);
    if (req.path !== '/') return next();
    res.type('html').set('Cache-Control', 'no-cache').send(DOCS_PAGE);
  });
}
