import type { RequestHandler } from 'express';
import type { PassportStatic } from 'passport';

type RequestMethods = Pick<Express.Request, 'logIn' | 'logOut' | 'isAuthenticated' | 'isUnauthenticated'>;
// passport's own request methods, which its middleware attaches to each request (passport is pinned; the spec
// signs in and out with them on requests that no passport middleware has seen).
const requestMethods = require('passport/lib/http/request') as RequestMethods;

type PassportInternals = PassportStatic & { _sm: unknown; _key: string };

/**
 * What `passport.session()` does for every request with a session, at a fraction of the cost: passport's
 * request methods (`req.logIn`, `req.logOut`, `req.isAuthenticated()`, …) and session manager, and the
 * session's signed-in user (its `passport.user`, through the deserializer registered with passport) as
 * `req.user`; a user the deserializer no longer knows is dropped from the session. passport's middleware gives
 * every request its own copy of the methods and builds a strategy object with eight closures for it: together
 * an eighth of all that a signed-in page allocated. Here the methods are put once on the app's request
 * prototype (Express's `app.request`, made to be extended), where every request finds them. Signing in and out
 * are passport's as before (its strategies, `req.logIn`, `req.logOut`).
 */
export function sessionPassport(authenticator: PassportStatic, requests: object): RequestHandler {
  const { _sm: sessionManager, _key: key } = authenticator as PassportInternals;
  Object.assign(requests, {
    login: requestMethods.logIn,
    logIn: requestMethods.logIn,
    logout: requestMethods.logOut,
    logOut: requestMethods.logOut,
    isAuthenticated: requestMethods.isAuthenticated,
    isUnauthenticated: requestMethods.isUnauthenticated,
    _sessionManager: sessionManager,
  });
  return (req, _res, next) => {
    const stored = (req.session as unknown as Record<string, { user?: unknown } | undefined> | undefined)?.[key];
    const user = stored?.user;
    // passport's own test of "someone is signed in".
    if (!(user || user === 0)) return next();
    authenticator.deserializeUser(user, req, (error: unknown, found?: Express.User | false | null) => {
      if (error) return next(error);
      if (found) req.user = found;
      else delete stored!.user;
      next();
    });
  };
}
