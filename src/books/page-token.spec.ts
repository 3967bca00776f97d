import { createHmac } from 'node:crypto';
import { InvalidPageToken } from '../common/domain-errors';
import { PageTokens } from './page-token';

describe(PageTokens.name, () => {
  const tokens = new PageTokens(['first-secret']);

  it('round-trips a cursor and its page number for the list it was made for', () => {
    expect(tokens.verify('all', tokens.sign('all', '["b",2]', 3))).toEqual({ cursor: '["b",2]', page: 3 });
  });

  it('says nothing of the number in a token without one (signed before numbers were added), or with a bad one', () => {
    const sign = (payload: object) => {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      const mac = createHmac('sha256', 'page-token:first-secret').update(body).digest('base64url');
      return `${body}.${mac}`;
    };
    expect(tokens.verify('all', sign({ l: 'all', c: 'x' }))).toEqual({ cursor: 'x', page: null });
    expect(tokens.verify('all', sign({ l: 'all', c: 'x', n: 'two' }))).toEqual({ cursor: 'x', page: null });
    expect(tokens.verify('all', sign({ l: 'all', c: 'x', n: 1 }))).toEqual({ cursor: 'x', page: null });
  });

  it('is opaque: the cursor does not appear in the token as plain text', () => {
    expect(tokens.sign('all', 'secret cursor', 2)).not.toContain('secret cursor');
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['an empty string', ''],
    ['three parts', 'a.b.c'],
  ])('refuses %s', (_name, token) => {
    expect(() => tokens.verify('all', token)).toThrow(InvalidPageToken);
  });

  it('refuses an edited payload', () => {
    const [, mac] = tokens.sign('all', '["b",2]', 2).split('.');
    const forged = Buffer.from(JSON.stringify({ l: 'all', c: '["a",1]' })).toString('base64url');
    expect(() => tokens.verify('all', `${forged}.${mac}`)).toThrow(InvalidPageToken);
  });

  it('refuses a token signed with another secret', () => {
    expect(() => tokens.verify('all', new PageTokens(['other']).sign('all', 'x', 2))).toThrow(InvalidPageToken);
  });

  it('refuses a token made for another list', () => {
    expect(() => tokens.verify('mine:alice', tokens.sign('mine:bob', 'x', 2))).toThrow(InvalidPageToken);
  });

  it('keeps accepting tokens signed with an older secret after rotation', () => {
    const rotated = new PageTokens(['new-secret', 'first-secret']);
    expect(rotated.verify('all', tokens.sign('all', 'x', 2)).cursor).toBe('x');
  });
});
