import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { inOrder } from './in-order';

const req = {} as Request;
const res = {} as Response;

/** Runs the chain once; resolves with what reached the caller's `next`, and the steps that ran. */
function run(...handlers: RequestHandler[]): Promise<{ passed: unknown[] }> {
  return new Promise((resolve) => {
    inOrder(...handlers)(req, res, ((...passed: unknown[]) => resolve({ passed })) as NextFunction);
  });
}

describe(inOrder.name, () => {
  it('runs each handler in turn with the same request and response, then the caller’s next with nothing', async () => {
    const seen: string[] = [];
    const step =
      (name: string): RequestHandler =>
      (request, response, next) => {
        expect([request, response]).toEqual([req, res]);
        seen.push(name);
        next();
      };
    await expect(run(step('a'), step('b'), step('c'))).resolves.toEqual({ passed: [] });
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('waits for a handler that calls next later', async () => {
    const seen: string[] = [];
    const later: RequestHandler = (_req, _res, next) => void setImmediate(() => (seen.push('later'), next()));
    const after: RequestHandler = (_req, _res, next) => (seen.push('after'), next());
    await run(later, after);
    expect(seen).toEqual(['later', 'after']);
  });

  it.each([
    ['passed to next', ((_req, _res, next) => next(new Error('refused'))) as RequestHandler],
    [
      'thrown',
      (() => {
        throw new Error('refused');
      }) as RequestHandler,
    ],
    ['rejected', (async () => Promise.reject(new Error('refused'))) as RequestHandler],
  ])('skips the rest and hands the caller’s next a failure %s', async (_how, failing) => {
    const rest = jest.fn<void, Parameters<RequestHandler>>((_req, _res, next) => next());
    const { passed } = await run(failing, rest);
    expect(passed).toEqual([new Error('refused')]);
    expect(rest).not.toHaveBeenCalled();
  });

  it('answers with nothing to run by calling next at once', async () => {
    await expect(run()).resolves.toEqual({ passed: [] });
  });
});
