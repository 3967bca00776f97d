import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { SignInRequired } from '../common/domain-errors';
import type { SessionUser } from './session-user';

/**
 * The signed-in person, as the session keeps them, on a route behind `SignedInGuard`:
 * `@CurrentUser() user: SessionUser`. Should the guard ever be missing, an anonymous request is refused
 * with `SignInRequired`, as the guard would, instead of reaching the handler without a user.
 *
 * On a route open to everyone, `@CurrentUser({ optional: true }) user: SessionUser | undefined` is the
 * person if someone is signed in.
 */
export const CurrentUser = createParamDecorator(
  (options: { optional?: boolean } | undefined, context: ExecutionContext): SessionUser | undefined => {
    const user = context.switchToHttp().getRequest<Request>().user;
    if (!user && !options?.optional) throw new SignInRequired();
    return user;
  },
);
