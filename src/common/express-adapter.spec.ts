import { type IncomingMessage, type Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { BookshelfExpressAdapter, PROTOTYPE_CHANGES_ARE_SLOW, withPrototype } from './express-adapter';

describe('BookshelfExpressAdapter', () => {
  let server: Server;
  let app: Express;
  let seen: { request: boolean; response: boolean } | undefined;

  beforeEach(async () => {
    const adapter = new BookshelfExpressAdapter();
    adapter.initHttpServer({});
    app = adapter.getInstance<Express>();
    server = adapter.getHttpServer() as Server;
    // Before Express's own listener: what Node made, not what Express turned it into.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      seen = { request: Object.getPrototypeOf(req) === app.request, response: Object.getPrototypeOf(res) === app.response };
    });
    app.get('/hello', (req, res) => {
      res.status(201).json({ host: req.get('host') === req.headers.host, isResponse: res instanceof ServerResponse });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    seen = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it(`makes each request and response with Express's prototypes on Node ${process.versions.node} (${PROTOTYPE_CHANGES_ARE_SLOW ? 'from the start' : "Express's own change"}), and Express serves them`, async () => {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/hello`);

    expect(response.status).toBe(201);
    await expect(response.json()).resolves.toEqual({ host: true, isResponse: true });
    expect(seen).toEqual({ request: PROTOTYPE_CHANGES_ARE_SLOW, response: PROTOTYPE_CHANGES_ARE_SLOW });
  });
});

describe('withPrototype', () => {
  interface Point {
    x: number;
    y: number;
  }
  // Node's IncomingMessage and ServerResponse are constructors of this kind.
  const Point = function (this: Point, x: number, y: number) {
    this.x = x;
    this.y = y;
  } as unknown as new (x: number, y: number) => Point;

  it("runs the constructor on an object with the given prototype, whose chain reaches the constructor's", () => {
    const prototype = Object.create(Point.prototype) as object;
    const Made = withPrototype(Point, prototype);
    const point = new Made(1, 2);

    expect(Object.getPrototypeOf(point)).toBe(prototype);
    expect(point).toBeInstanceOf(Point);
    expect([point.x, point.y]).toEqual([1, 2]);
  });

  it('gives back a class itself, which cannot be run on an object made elsewhere', () => {
    class Pair {
      constructor(readonly x: number) {}
    }

    expect(withPrototype(Pair, Object.create(Pair.prototype) as object)).toBe(Pair);
  });
});
