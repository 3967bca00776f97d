import { join } from 'node:path';
import { parseArgs } from 'node:util';
import express from 'express';
import hbs from 'hbs';
import { bookshelfAssetSources, serveStaticAssets } from '../../common/static-assets';
import { DEV_IDP_PATH } from '../../config/app-config';
import { createIdentityProvider } from './dev-identity-provider';

const ROOT = join(__dirname, '../../..');

/**
 * The development identity provider alone, on its own port: a separate process acting as "Google" for a
 * production-mode app (the benchmark, operators trying a production build locally). Point the app's
 * GOOGLE_OAUTH2_AUTH_URL, _TOKEN_URL and _USERINFO_URL at `${printed URL}/auth`, `/token` and `/userinfo`.
 *
 *   node dist/auth/dev-idp/standalone.js --port 0 --client-id ID --client-secret SECRET \
 *     --redirect-uri http://127.0.0.1:8080/oauth2callback
 *
 * Prints `DEV_IDP_URL=http://127.0.0.1:PORT/dev-idp` once it listens; stops on SIGTERM. Any email signs
 * in: never expose it beyond loopback. Takes its settings from arguments, not the environment, so it
 * cannot be confused with the app's configuration.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'redirect-uri': { type: 'string' },
    },
  });
  const clientId = values['client-id'];
  const clientSecret = values['client-secret'];
  const redirectUri = values['redirect-uri'];
  if (!clientId || !clientSecret || !redirectUri) {
    console.error('Usage: standalone.js --client-id ID --client-secret SECRET --redirect-uri URL [--port N] [--host H]');
    process.exit(2);
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('views', join(ROOT, 'views'));
  app.set('view engine', 'hbs');
  app.set('view options', { layout: 'layouts/main' });
  app.enable('view cache');
  hbs.registerPartials(join(ROOT, 'views/partials'));
  await serveStaticAssets(app, bookshelfAssetSources(ROOT));

  const server = app.listen(Number(values.port), values.host, () => {
    const { port } = server.address() as { port: number };
    const origin = new URL(`http://${values.host}:${port}`);
    app.use(DEV_IDP_PATH, createIdentityProvider({ origin, client: { clientId, clientSecret, redirectUri }, proxy: false }));
    console.log(`DEV_IDP_URL=${new URL(DEV_IDP_PATH, origin).toString()}`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
