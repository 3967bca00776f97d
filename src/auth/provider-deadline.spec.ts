import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2 } from 'oauth';
import { addProviderDeadline, ProviderTimeout } from './provider-deadline';

/** A provider that accepts every request and answers only when told to. */
describe(addProviderDeadline.name, () => {
  let server: Server;
  let base: string;
  const waiting: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/fast')) res.end(JSON.stringify({ access_token: 'at', sub: 's' }));
      else if (req.url?.startsWith('/drip')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{');
        waiting.push(res);
      } else waiting.push(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function client(tokenPath: string): OAuth2 {
    const oauth2 = new OAuth2('id', 'secret', '', `${base}/auth`, `${base}${tokenPath}`);
    addProviderDeadline(oauth2, 200);
    return oauth2;
  }

  const token = (oauth2: OAuth2) =>
    new Promise<unknown>((resolve) => oauth2.getOAuthAccessToken('code', {}, (error, accessToken) => resolve(error ?? accessToken)));
  const get = (oauth2: OAuth2, path: string) =>
    new Promise<unknown>((resolve) => oauth2.get(`${base}${path}`, 'at', (error, body) => resolve(error ?? body)));

  it('fails a token request that gets no answer, once, and frees the connection', async () => {
    const started = Date.now();
    const error = await token(client('/hang'));
    expect(error).toBeInstanceOf(ProviderTimeout);
    expect((error as Error).message).toBe('127.0.0.1 did not answer within 0.2 s');
    expect(Date.now() - started).toBeLessThan(2000);
    const [res] = waiting.splice(0);
    await new Promise((resolve) => (res.destroyed ? resolve(null) : res.once('close', resolve)));
    expect(res.destroyed).toBe(true);
  });

  it('fails a userinfo request whose answer never ends', async () => {
    const error = await get(client('/fast'), '/drip/userinfo');
    expect(error).toBeInstanceOf(ProviderTimeout);
    waiting.splice(0);
  });

  it('lets a prompt provider answer as before', async () => {
    const oauth2 = client('/fast');
    expect(await token(oauth2)).toBe('at');
    expect(await get(oauth2, '/fast/userinfo')).toBe('{"access_token":"at","sub":"s"}');
  });
});
