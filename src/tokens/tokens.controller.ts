import { Body, Controller, Get, Param, Post, Res, Session, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { SessionData } from 'express-session';
import { CurrentUser } from '../auth/current-user.decorator';
import type { SessionUser } from '../auth/session-user';
import { SignedInGuard } from '../auth/signed-in.guard';
import { flash, redirectToFailedForm, takeFailedForm } from '../common/page-messages';
import { RateLimit } from '../rate-limits/rate-limit.guard';
import { type AccessToken, TOKEN_SCOPES } from './access-token';
import { parseTokenForm, type TokenFormErrors, type TokenFormValues } from './token-form';
import { TokensService, TooManyTokens } from './tokens.service';

const PATH = '/account/tokens';
const DEFAULT_FORM: TokenFormValues = { name: '', scopes: ['books:read'], expiresInDays: 90 };

/** A token as the page lists it: never its hash. */
function row(token: AccessToken) {
  const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : null);
  return {
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    scopes: token.scopes.join(', '),
    created: day(token.createdAt),
    createdIso: token.createdAt.toISOString(),
    lastUsed: day(token.lastUsedAt),
    expires: day(token.expiresAt),
  };
}

/** `/account/tokens`: a signed-in person's personal access tokens for the JSON API. */
@Controller('account/tokens')
@UseGuards(SignedInGuard)
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  /** The page, or the form refused by the last post (shown once, with its status). */
  @Get()
  async list(@CurrentUser() user: SessionUser, @Session() session: Partial<SessionData>, @Res() res: Response): Promise<void> {
    const refused = takeFailedForm(session, PATH);
    if (!refused) return this.render(res, 200, user, DEFAULT_FORM);
    await this.render(res, refused.status, user, refused.values as unknown as TokenFormValues, refused.errors);
  }

  /** The new secret is shown on this response only: it is in no session, log or redirect. */
  @Post()
  @RateLimit('writes')
  async create(
    @CurrentUser() user: SessionUser,
    @Body() body: unknown,
    @Session() session: Partial<SessionData>,
    @Res() res: Response,
  ): Promise<void> {
    const form = parseTokenForm(body);
    // Refused: post/redirect/get, like every form (the values hold no secret).
    const refuse = (errors: TokenFormErrors) =>
      redirectToFailedForm(session, res, { path: PATH, status: 422, values: { ...form.values }, errors });
    if (!form.valid) return refuse(form.errors);
    try {
      const { token, secret } = await this.tokens.issue({ id: user.id, name: user.name }, form.values);
      await this.render(res, 200, user, DEFAULT_FORM, {}, { name: token.name, secret });
    } catch (error) {
      if (!(error instanceof TooManyTokens)) throw error;
      refuse({ name: error.message });
    }
  }

  @Post(':id/revoke')
  @RateLimit('writes')
  async revoke(@CurrentUser() user: SessionUser, @Param('id') id: string, @Session() session: Partial<SessionData>, @Res() res: Response) {
    await this.tokens.revoke(user.id, id);
    flash(session, 'success', 'Revoked the token.');
    res.redirect(303, '/account/tokens');
  }

  private async render(
    res: Response,
    status: number,
    user: SessionUser,
    values: TokenFormValues,
    errors: TokenFormErrors = {},
    created?: { name: string; secret: string },
  ): Promise<void> {
    const tokens = (await this.tokens.list(user.id)).map(row);
    const scopes = TOKEN_SCOPES.map((scope) => ({
      value: scope,
      id: `scope-${scope.replace(':', '-')}`,
      checked: values.scopes.includes(scope),
    }));
    const lifetimes = [
      { value: '30', label: '30 days' },
      { value: '90', label: '90 days' },
      { value: '365', label: '365 days' },
      { value: 'none', label: 'No expiry' },
    ].map((option) => ({ ...option, selected: option.value === String(values.expiresInDays ?? 'none') }));
    // A page holding a secret is never cached, by the browser or anything between.
    res.set('Cache-Control', 'no-store');
    res.status(status).render('tokens/list', { title: 'Access tokens', tokens, values, errors, scopes, lifetimes, created });
  }
}
