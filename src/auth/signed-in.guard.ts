import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { SignInRequired } from '../common/domain-errors';

/**
 * Lets signed-in people through. For anyone else the filter answers a GET with a redirect to sign-in
 * (coming back to this page afterwards) and anything else with 403.
 */
@Injectable()
export class SignedInGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.switchToHttp().getRequest<Request>().user) return true;
    throw new SignInRequired();
  }
}
