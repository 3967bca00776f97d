import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';

/**
 * Whether V8 makes each request pay for Express changing its prototype (below). Measured with a plain Express
 * app at 50 connections: on Node 20 and 22, 3x the requests a second with prototypes set from the start and no
 * request's objects promoted to the old generation (against a third of what each request allocated); on Node 24
 * Express alone was faster than with them (by about a fifth), so there Node's own classes stay.
 */
export const PROTOTYPE_CHANGES_ARE_SLOW = Number(process.versions.node.split('.')[0]) < 24;

/**
 * Nest's Express adapter, with an HTTP server that makes each request and response with Express's own
 * prototypes (`app.request`, `app.response`) from the start, where that is cheaper (`PROTOTYPE_CHANGES_ARE_SLOW`).
 *
 * Express gives every request and response those prototypes with `Object.setPrototypeOf` as it takes them
 * (`app.handle` in express/lib/application.js). On objects that Node made from its own classes that changes
 * their hidden class on every request, which V8 makes slow (MDN, `Object.setPrototypeOf`: "a very slow
 * operation"); here it also kept each request's objects alive past two young-generation collections, so they
 * were copied twice and then moved to the old generation, which grew to four times its live size before a
 * full collection. When the object already has the prototype asked for, `setPrototypeOf` changes nothing.
 *
 * HTTPS and `forceCloseConnections`, which this app uses neither of, keep Nest's own server.
 */
export class BookshelfExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    if (!PROTOTYPE_CHANGES_ARE_SLOW || options.httpsOptions || options.forceCloseConnections) {
      return super.initHttpServer(options);
    }
    const app = this.getInstance<Express>();
    this.httpServer = createServer(
      {
        IncomingMessage: withPrototype(IncomingMessage, app.request),
        ServerResponse: withPrototype(ServerResponse, app.response) as typeof ServerResponse<IncomingMessage>,
      },
      app,
    );
  }
}

/**
 * A constructor that runs `Base` on an object with `prototype` as its prototype (which must have `Base`'s in
 * its chain). `Base` must be an ES5-style constructor, as Node's `IncomingMessage` and `ServerResponse` are on
 * Node 20 to 24: a class cannot be called on an object made elsewhere, so for a class `Base` itself is returned.
 * (`Reflect.construct(Base, args, Made)` would work for both, but V8 made it several times slower than `new`.)
 */
export function withPrototype<T extends abstract new (...args: never[]) => object>(Base: T, prototype: object): T {
  if (/^class\b/.test(Function.prototype.toString.call(Base))) return Base;
  const construct = Base as unknown as (this: object, ...args: unknown[]) => void;
  function Made(this: object, ...args: unknown[]): void {
    construct.apply(this, args);
  }
  Made.prototype = prototype;
  return Made as unknown as T;
}
