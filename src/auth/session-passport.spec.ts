import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import { Passport, type PassportStatic } from 'passport';
import { WebClient } from '../../test/helpers/web-client';
import { sessionPassport } from './session-passport';

type Mount = (authenticator: PassportStatic, requests: object) => RequestHandler;

interface User {
  id: string;
  name: string;
  email: string;
  picture: null;
}

/**
 * Real passport, express-session (its memory store) and Express over loopback, with `passport.session()` and
 * `sessionPassport` mounted in turn: the same requests must give the same answers. No strategy and no
 * passport middleware other than the one under test, so `req.logIn` and `req.logOut` work only if it set them up.
 */
async function serve(mount: Mount) {
  const authenticator = new Passport() as unknown as PassportStatic;
  authenticator.serializeUser((user, done) => done(null, user));
  authenticator.deserializeUser((user: User, done) => {
    if (user.id === 'broken') return done(new Error('user store unreachable'));
    done(null, user.id === 'gone' ? false : { ...user, name: `${user.name} (read)` });
  });
  const app = express();
  const middleware = mount(authenticator, app.request);
  app.use(session({ secret: 'a test secret that is long enough', resave: false, saveUninitialized: false }));
  app.use(middleware);
  app.post('/in/:id', (req, res, next) =>
    req.logIn({ id: req.params.id, name: 'Ada', email: 'ada@example.com', picture: null }, (error: unknown) =>
      error ? next(error) : res.sendStatus(204),
    ),
  );
  app.post('/out', (req, res, next) => req.logOut((error: unknown) => (error ? next(error) : res.sendStatus(204))));
  app.get('/me', (req, res) => {
    res.json({
      user: req.user ?? null,
      authenticated: req.isAuthenticated(),
      unauthenticated: req.isUnauthenticated(),
      stored: (req.session as unknown as { passport?: unknown }).passport ?? null,
    });
  });
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: error.message });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const client = new WebClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const call = async (method: 'GET' | 'POST', path: string) => {
    const page = method === 'GET' ? await client.get(path) : await client.post(path, {});
    return { status: page.status, body: page.body ? (JSON.parse(page.body) as Record<string, unknown>) : null };
  };
  return { call, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** A sign-in, a read, a sign-out, a read; then users the deserializer drops or fails on. */
async function scenario(mount: Mount) {
  const app = await serve(mount);
  try {
    const seen: unknown[] = [];
    seen.push(await app.call('GET', '/me'));
    seen.push(await app.call('POST', '/in/u1'));
    seen.push(await app.call('GET', '/me'));
    seen.push(await app.call('POST', '/out'));
    seen.push(await app.call('GET', '/me'));
    seen.push(await app.call('POST', '/in/gone'));
    seen.push(await app.call('GET', '/me'));
    seen.push(await app.call('GET', '/me'));
    seen.push(await app.call('POST', '/in/broken'));
    seen.push(await app.call('GET', '/me'));
    return seen;
  } finally {
    await app.close();
  }
}

describe(sessionPassport.name, () => {
  it('answers every request as passport.session() does: signed in, out, a dropped user and a failing one', async () => {
    const lean = await scenario(sessionPassport);
    expect(lean).toEqual(await scenario((authenticator) => authenticator.session()));
    const nobody = { user: null, authenticated: false, unauthenticated: true };
    expect(lean).toEqual([
      { status: 200, body: { ...nobody, stored: null } },
      { status: 204, body: null },
      {
        status: 200,
        body: {
          user: { id: 'u1', name: 'Ada (read)', email: 'ada@example.com', picture: null },
          authenticated: true,
          unauthenticated: false,
          stored: { user: { id: 'u1', name: 'Ada', email: 'ada@example.com', picture: null } },
        },
      },
      { status: 204, body: null },
      // passport's logOut starts a new session.
      { status: 200, body: { ...nobody, stored: null } },
      { status: 204, body: null },
      // The deserializer no longer knows this user: dropped from the session, and so for good.
      { status: 200, body: { ...nobody, stored: {} } },
      { status: 200, body: { ...nobody, stored: {} } },
      { status: 204, body: null },
      { status: 500, body: { error: 'user store unreachable' } },
    ]);
  });
});
