import { Controller, Get, HttpCode, Param, Post, Render, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import type { SessionUser } from '../auth/session-user';
import { SignedInGuard } from '../auth/signed-in.guard';
import { signOutHere } from '../auth/sign-out-here';
import { flash } from '../common/page-messages';
import { AppConfig } from '../config/app-config';
import { RateLimit } from '../rate-limits/rate-limit.guard';
import { AccountService } from './account.service';
import { type Sink, writeCsvExport, writeJsonExport } from './book-export';

/** Where a person signs in again before deleting their account. */
const REAUTH_FOR_DELETE = '/oauth2authorize?return_url=%2Faccount%2Fdelete&reauth=1';

@Controller('account')
@UseGuards(SignedInGuard)
export class AccountController {
  constructor(
    private readonly account: AccountService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Render('account/index')
  async page(@CurrentUser() user: SessionUser, @Req() req: Request) {
    const [rows, books] = await Promise.all([this.account.sessionRows(user, req.sessionID), this.account.bookCount(user)]);
    const sessions = rows.map((row) => ({ ...row, signedInAt: when(row.signedInAt), lastActiveAt: when(row.lastActiveAt) }));
    return {
      title: 'Your account',
      account: user,
      booksAdded: count(books, 'book'),
      sessions,
      otherSessions: sessions.length > 1,
    };
  }

  @Post('sessions/end-others')
  @RateLimit('writes')
  @HttpCode(303)
  async endOthers(@CurrentUser() user: SessionUser, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.account.endOtherSessions(user, req.sessionID);
    flash(req.session, 'success', 'Signed out of every other session.');
    res.redirect(303, '/account');
  }

  @Post('sessions/:handle/end')
  @RateLimit('writes')
  @HttpCode(303)
  async endOne(
    @CurrentUser() user: SessionUser,
    @Param('handle') handle: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const sessionId = await this.account.sessionIdOf(user, handle);
    if (sessionId === req.sessionID) return signOutHere(req, res, this.config, '/books?notice=signed-out');
    await this.account.endSessions([sessionId]);
    flash(req.session, 'success', 'That session is signed out.');
    res.redirect(303, '/account');
  }

  @Get('export.json')
  async exportJson(@CurrentUser() user: SessionUser, @Res() res: Response): Promise<void> {
    res.type('application/json').attachment('bookshelf-books.json');
    await stream(res, (write) => writeJsonExport(user, this.account.exportPages(user), write));
  }

  @Get('export.csv')
  async exportCsv(@CurrentUser() user: SessionUser, @Res() res: Response): Promise<void> {
    res.type('text/csv; charset=utf-8; header=present').attachment('bookshelf-books.csv');
    await stream(res, (write) => writeCsvExport(this.account.exportPages(user), this.config.baseUrl, write));
  }

  @Get('delete')
  @Render('account/delete')
  async confirmDelete(@CurrentUser() user: SessionUser) {
    const contents = await this.account.contents(user);
    return {
      title: 'Delete your account',
      books: count(contents.books, 'book'),
      covers: count(contents.covers, 'cover image'),
      sessions: count(contents.sessions, 'session'),
      tokens: count(contents.tokens, 'access token'),
    };
  }

  @Post('delete')
  @RateLimit('writes')
  @HttpCode(303)
  async delete(@CurrentUser() user: SessionUser, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.account.recentlySignedIn(req.session)) return res.redirect(303, REAUTH_FOR_DELETE);
    await this.account.deleteEverything(user, req.sessionID);
    await signOutHere(req, res, this.config, '/books?notice=account-deleted');
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A time for a `<time>` element: machine-readable, and shown in UTC to the minute. */
function when(date: Date | null): { iso: string; text: string } | null {
  if (!date) return null;
  const iso = date.toISOString();
  return { iso, text: `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` };
}

/**
 * Writes an export through `res`, waiting for `drain` whenever the socket's buffer is full, so that a
 * slow download holds one page of books, not all of them. Once the first byte is out a failure can only
 * cut the download short (the client sees it incomplete); before that it is the error page as usual.
 */
async function stream(res: Response, produce: (write: Sink) => Promise<void>): Promise<void> {
  const write: Sink = (chunk) => {
    // A client that went away stops the export (and the reading of books) at the next page.
    if (res.destroyed) return Promise.reject(new Error('The client closed the download'));
    if (res.write(chunk)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done).off('close', done);
        resolve();
      };
      res.on('drain', done).on('close', done);
    });
  };
  try {
    await produce(write);
    res.end();
  } catch (error) {
    if (!res.headersSent) throw error;
    res.destroy(error as Error);
  }
}
