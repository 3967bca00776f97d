import { Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import type { SessionUser } from './session-user';

type Done<T> = (error: Error | null, value?: T) => void;

/** The session holds the profile fields themselves, so reading a page needs no user lookup. */
@Injectable()
export class SessionSerializer extends PassportSerializer {
  serializeUser(user: SessionUser, done: Done<SessionUser>): void {
    done(null, { id: user.id, name: user.name, email: user.email, picture: user.picture });
  }

  deserializeUser(user: SessionUser, done: Done<SessionUser>): void {
    done(null, user);
  }
}
