import { Injectable } from '@nestjs/common';
import type { SessionData } from 'express-session';
import { UAParser } from 'ua-parser-js';
import type { SessionUser } from '../auth/session-user';
import { BooksService, type BookView } from '../books/books.service';
import { DomainError } from '../common/domain-errors';
import { AppConfig } from '../config/app-config';
import { UserSessions, type StoredSession } from '../sessions/user-sessions';
import { TokensService } from '../tokens/tokens.service';
import { AccountDeletionInterrupted, SessionNotFound } from './account.errors';
import { type ExportedBook, exportedBook } from './book-export';
import { SessionHandles } from './session-handles';

/** One row of "Your sessions". */
export interface SessionRow {
  handle: string;
  browser: string;
  system: string;
  signedInAt: Date | null;
  lastActiveAt: Date;
  current: boolean;
}

/** What deleting the account would remove. */
export interface AccountContents {
  books: number;
  covers: number;
  sessions: number;
  tokens: number;
}

/** Deleting an account needs a sign-in this recent (else the person signs in again first). */
export const RECENT_SIGN_IN_MS = 10 * 60 * 1000;

/**
 * What a person can see and do about what Bookshelf keeps of them: their sessions on every instance, an
 * export of their books, and deleting all of it.
 */
@Injectable()
export class AccountService {
  private readonly handles: SessionHandles;

  constructor(
    private readonly books: BooksService,
    private readonly sessions: UserSessions,
    private readonly tokens: TokensService,
    private readonly config: AppConfig,
  ) {
    this.handles = new SessionHandles(config.sessionSecrets[0]);
  }

  /** The person's live sessions, this one first, then the most recently active. */
  async sessionRows(user: SessionUser, currentSessionId: string): Promise<SessionRow[]> {
    const rows = (await this.sessions.sessionsOf(user.id)).map((session) => this.row(session, currentSessionId));
    return rows.sort((a, b) => Number(b.current) - Number(a.current) || b.lastActiveAt.getTime() - a.lastActiveAt.getTime());
  }

  /** How many books the person added (the account page needs nothing else of `contents`). */
  async bookCount(user: SessionUser): Promise<number> {
    return (await this.books.countOwned(user.id)).books;
  }

  async contents(user: SessionUser): Promise<AccountContents> {
    const [counts, sessions, tokens] = await Promise.all([
      this.books.countOwned(user.id),
      this.sessions.sessionsOf(user.id),
      this.tokens.list(user.id),
    ]);
    return { ...counts, sessions: sessions.length, tokens: tokens.length };
  }

  /** The session id behind one of the person's handles; SessionNotFound for anything else. */
  async sessionIdOf(user: SessionUser, handle: string): Promise<string> {
    const match = (await this.sessions.sessionsOf(user.id)).find((session) => this.handles.matches(handle, session.id));
    if (!match) throw new SessionNotFound();
    return match.id;
  }

  async endSessions(sessionIds: readonly string[]): Promise<void> {
    await this.sessions.end(sessionIds);
  }

  /** Every session of the person except `keepSessionId`. */
  async endOtherSessions(user: SessionUser, keepSessionId: string): Promise<void> {
    const others = (await this.sessions.sessionsOf(user.id)).map((s) => s.id).filter((id) => id !== keepSessionId);
    await this.sessions.end(others);
  }

  /** The person's books for an export, a page at a time. */
  async *exportPages(user: SessionUser): AsyncGenerator<ExportedBook[]> {
    for await (const page of this.books.owned(user.id)) yield page.map((book: BookView) => exportedBook(book, this.config.baseUrl));
  }

  recentlySignedIn(session: Partial<SessionData>, now = Date.now()): boolean {
    return session.signedInAt !== undefined && now - session.signedInAt <= RECENT_SIGN_IN_MS;
  }

  /**
   * Deletes every book of the person with its cover, their access tokens, then every session of theirs but `currentSessionId`
   * (which the caller destroys, so that express-session does not save it again). Safe to repeat: a failure
   * part way is AccountDeletionInterrupted (503), and the next attempt carries on where this one stopped.
   */
  async deleteEverything(user: SessionUser, currentSessionId: string): Promise<void> {
    try {
      await this.books.deleteAllOf(user.id);
      await this.tokens.deleteAllOf(user.id);
      await this.endOtherSessions(user, currentSessionId);
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'unavailable') throw error;
      throw new AccountDeletionInterrupted(error);
    }
  }

  private row(session: StoredSession, currentSessionId: string): SessionRow {
    const agent = new UAParser(session.data.userAgent ?? '').getResult();
    const browser = [agent.browser.name, agent.browser.major].filter(Boolean).join(' ') || 'Unknown browser';
    const system = [agent.os.name, agent.os.version].filter(Boolean).join(' ') || 'unknown system';
    const current = session.id === currentSessionId;
    // A store writes a session's expiry when it is used (at most once an hour), so expiry minus its
    // lifetime is when it was last used, to within that hour; this one is in use now.
    const lifetime = session.data.cookie?.originalMaxAge ?? 0;
    const lastActiveAt = current ? new Date() : new Date(session.expiresAt.getTime() - (lifetime ?? 0));
    return {
      handle: this.handles.of(session.id),
      browser,
      system,
      signedInAt: session.data.signedInAt ? new Date(session.data.signedInAt) : null,
      lastActiveAt,
      current,
    };
  }
}
