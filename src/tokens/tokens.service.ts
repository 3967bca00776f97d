import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-errors';
import { type AccessToken, MAX_TOKENS_PER_PERSON } from './access-token';
import type { TokenFormValues } from './token-form';
import { TokenNotFound, TokenRequired } from './tokens.errors';
import { TokensRepository } from './tokens.repository';

/** `bks_` then 43 base64url characters: 256 random bits. */
const SECRET_PATTERN = /^bks_[A-Za-z0-9_-]{43}$/;
/** The visible part: `bks_` and the first 6 random characters. */
const PREFIX_LENGTH = 'bks_'.length + 6;
/** `lastUsedAt` is written at most once a minute per token, so that API reads are not all writes. */
const TOUCH_EVERY_MS = 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;

export class TooManyTokens extends DomainError {
  readonly kind = 'invalid' as const;
  constructor() {
    super(`You can have at most ${MAX_TOKENS_PER_PERSON} tokens. Revoke one first.`);
  }
}

export interface TokenOwner {
  id: string;
  name: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

@Injectable()
export class TokensService {
  private readonly logger = new Logger(TokensService.name);

  constructor(private readonly tokens: TokensRepository) {}

  /** Makes a token; the secret is returned once and never stored. */
  async issue(owner: TokenOwner, values: TokenFormValues, now = new Date()): Promise<{ token: AccessToken; secret: string }> {
    const existing = await this.tokens.listFor(owner.id);
    // Checked, then written: two creations at the same instant may both pass, which only a person can do to themselves.
    if (existing.length >= MAX_TOKENS_PER_PERSON) throw new TooManyTokens();
    const secret = `bks_${randomBytes(32).toString('base64url')}`;
    const token: AccessToken = {
      id: randomBytes(12).toString('hex'),
      userId: owner.id,
      userName: owner.name,
      name: values.name,
      scopes: values.scopes,
      prefix: secret.slice(0, PREFIX_LENGTH),
      hash: hashSecret(secret),
      createdAt: now,
      lastUsedAt: null,
      expiresAt: values.expiresInDays === null ? null : new Date(now.getTime() + values.expiresInDays * DAY_MS),
    };
    return { token: await this.tokens.create(token), secret };
  }

  /**
   * The token a request presents (the whole `bks_...` secret): `TokenRequired` when it is malformed,
   * unknown, revoked (deleted) or expired. Records when it was last used.
   */
  async authenticate(secret: string, now = new Date()): Promise<AccessToken> {
    if (!SECRET_PATTERN.test(secret)) throw new TokenRequired(true);
    const token = await this.tokens.findByHash(hashSecret(secret));
    if (!token || (token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime())) throw new TokenRequired(true);
    if (token.lastUsedAt === null || now.getTime() - token.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
      try {
        await this.tokens.touch(token, now);
        token.lastUsedAt = now;
      } catch (error) {
        // Bookkeeping: the request itself may go on.
        this.logger.warn(`Could not record the use of token ${token.prefix}: ${String(error)}`);
      }
    }
    return token;
  }

  list(userId: string): Promise<AccessToken[]> {
    return this.tokens.listFor(userId);
  }

  /** Revokes at once: the token is deleted, so no instance accepts it from the next request on. */
  async revoke(userId: string, id: string): Promise<void> {
    if (!(await this.tokens.delete(id, userId))) throw new TokenNotFound();
  }

  /** Every token of the person (for deleting an account). */
  deleteAllOf(userId: string): Promise<void> {
    return this.tokens.deleteAllOf(userId);
  }
}
