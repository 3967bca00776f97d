import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidPageToken } from '../common/domain-errors';

/**
 * Opaque, signed page tokens: `base64url(json).base64url(hmac-sha256)`. The payload binds the
 * adapter's cursor to the list it came from, so a token is valid only for that list, and carries the
 * number of the page it opens (keyset paging has no offsets: the number travels with the token). Signed with the
 * first session secret and verified against every one, so rotating secrets keeps links working.
 */
export class PageTokens {
  private readonly keys: Buffer[];

  constructor(secrets: string[]) {
    this.keys = secrets.map((s) => Buffer.from(`page-token:${s}`, 'utf8'));
  }

  sign(list: string, cursor: string, page: number): string {
    const payload = Buffer.from(JSON.stringify({ l: list, c: cursor, n: page }), 'utf8').toString('base64url');
    return `${payload}.${this.mac(this.keys[0], payload).toString('base64url')}`;
  }

  /**
   * Returns the cursor and the page's number (null in a token signed before numbers were added); throws
   * `InvalidPageToken` for anything this app did not sign for `list`.
   */
  verify(list: string, token: string): { cursor: string; page: number | null } {
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined || token.length > 4096) throw new InvalidPageToken();
    const given = Buffer.from(mac, 'base64url');
    const valid = this.keys.some((key) => {
      const expected = this.mac(key, payload);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!valid) throw new InvalidPageToken();
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidPageToken();
    }
    const { l, c, n } = (decoded ?? {}) as { l?: unknown; c?: unknown; n?: unknown };
    if (l !== list || typeof c !== 'string') throw new InvalidPageToken();
    return { cursor: c, page: Number.isSafeInteger(n) && (n as number) > 1 ? (n as number) : null };
  }

  private mac(key: Buffer, payload: string): Buffer {
    return createHmac('sha256', key).update(payload).digest();
  }
}
