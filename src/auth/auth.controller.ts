import { Controller, Get, HttpCode, Logger, Post, Render, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RateLimit } from '../rate-limits/rate-limit.guard';
import { AppConfig } from '../config/app-config';
import { ChooseAccountCookie } from './choose-account-cookie';
import { GoogleCallbackGuard, GoogleSignInGuard } from './google-auth.guards';
import { DEFAULT_RETURN_PATH } from './return-path';
import type { SessionUser } from './session-user';
import { signOutHere } from './sign-out-here';
import { traceFieldsOf } from '../common/cloud-logging';
import { flash } from '../common/page-messages';

/** Longer user agents are cut: the first few hundred characters name the browser and system. */
const MAX_USER_AGENT = 512;

@Controller()
export class AuthController {
  private readonly logger = new Logger(AuthController.name);
  private readonly chooseAccount: ChooseAccountCookie;

  constructor(private readonly config: AppConfig) {
    this.chooseAccount = new ChooseAccountCookie(config);
  }

  /** The guard answers with a redirect to the provider; this body never runs. */
  @Get('oauth2authorize')
  @RateLimit('signInStart')
  @UseGuards(GoogleSignInGuard)
  authorize(): void {}

  @Get('oauth2callback')
  @RateLimit('signInFinish')
  @UseGuards(GoogleCallbackGuard)
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const outcome = req.signInOutcome;
    if (!outcome?.ok) {
      this.logger.warn({ message: `Sign-in failed: ${outcome?.reason ?? 'unknown'}`, ...traceFieldsOf(req) });
      if (req.session) flash(req.session, 'error', 'Sign-in did not complete. Please try again.');
      return res.redirect(303, DEFAULT_RETURN_PATH);
    }
    // passport regenerates the session inside logIn, so the return path was read from the state first.
    await logIn(req, outcome.user);
    req.session.signedInAt = Date.now();
    // For the account page's list of sessions ("Firefox on Windows"); bounded, as any header may be long.
    req.session.userAgent = (req.get('user-agent') ?? '').slice(0, MAX_USER_AGENT);
    flash(req.session, 'success', `Signed in as ${outcome.user.name}.`);
    // The account is chosen: later sign-ins from this browser are silent again, until the next sign-out.
    if (this.chooseAccount.isSetOn(req)) this.chooseAccount.clear(res);
    res.redirect(303, outcome.returnTo);
  }

  @Get('logout')
  @Render('pages/logout')
  confirmLogout(): { title: string } {
    return { title: 'Sign out' };
  }

  @Post('logout')
  @HttpCode(303)
  logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    return signOutHere(req, res, this.config, `${DEFAULT_RETURN_PATH}?notice=signed-out`);
  }
}

function logIn(req: Request, user: SessionUser): Promise<void> {
  return new Promise((resolve, reject) => req.logIn(user, (error: unknown) => (error ? reject(error) : resolve())));
}
