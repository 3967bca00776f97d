import type { ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { SignInRequired } from '../common/domain-errors';
import { CurrentUser } from './current-user.decorator';

/** What Nest calls for a parameter decorated with `decorator`, given the request. */
function resolve(decorator: ParameterDecorator, user: unknown): unknown {
  class Route {
    handler(_user: unknown): void {}
  }
  decorator(Route.prototype, 'handler', 0);
  const [param] = Object.values(
    Reflect.getMetadata(ROUTE_ARGS_METADATA, Route, 'handler') as Record<
      string,
      { data: unknown; factory: (data: unknown, context: ExecutionContext) => unknown }
    >,
  );
  const context = { switchToHttp: () => ({ getRequest: () => ({ user }) }) } as unknown as ExecutionContext;
  return param.factory(param.data, context);
}

describe('CurrentUser', () => {
  const ada = { id: 'sub-1', name: 'Ada', email: 'ada@example.com', picture: null };

  it('is the signed-in person', () => {
    expect(resolve(CurrentUser(), ada)).toBe(ada);
    expect(resolve(CurrentUser({ optional: true }), ada)).toBe(ada);
  });

  it('refuses an anonymous request, as SignedInGuard does, unless optional', () => {
    expect(() => resolve(CurrentUser(), undefined)).toThrow(SignInRequired);
    expect(resolve(CurrentUser({ optional: true }), undefined)).toBeUndefined();
  });
});
