import { InvalidPageToken } from '../common/domain-errors';
import { PageTokens } from './page-token';

describe(PageTokens.name, () => {
  const tokens = new PageTokens(['first-secret']);

  it('round-trips a cursor for the list it was made for', () => {
    expect(tokens.verify('all', tokens.sign('all', '["b",2]'))).toBe('["b",2]');
  });

  it('is opaque: the cursor does not appear in the token as plain text', () => {
    expect(tokens.sign('all', 'secret cursor')).not.toContain('secret cursor');
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['an empty string', ''],
    ['three parts', 'a.b.c'],
  ])('refuses %s', (_name, token) => {
    expect(() => tokens.verify('all', token)).toThrow(InvalidPageToken);
  });

  it('refuses an edited payload', () => {
    const [, mac] = tokens.sign('all', '["b",2]').split('.');
    const forged = Buffer.from(JSON.stringify({ l: 'all', c: '["a",1]' })).toString('base64url');
    expect(() => tokens.verify('all', `${forged}.${mac}`)).toThrow(InvalidPageToken);
  });

  it('refuses a token signed with another secret', () => {
    expect(() => tokens.verify('all', new PageTokens(['other']).sign('all', 'x'))).toThrow(InvalidPageToken);
  });

  it('refuses a token made for another list', () => {
    expect(() => tokens.verify('mine:alice', tokens.sign('mine:bob', 'x'))).toThrow(InvalidPageToken);
  });

  it('keeps accepting tokens signed with an older secret after rotation', () => {
    const rotated = new PageTokens(['new-secret', 'first-secret']);
    expect(rotated.verify('all', tokens.sign('all', 'x'))).toBe('x');
  });
});
