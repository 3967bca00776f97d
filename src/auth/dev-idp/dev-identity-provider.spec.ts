import { emailToOffer } from './dev-identity-provider';

describe(emailToOffer.name, () => {
  it('offers the login_hint the client sent, trimmed, before the account signed in at the provider', () => {
    expect(emailToOffer(' grace@example.com ', 'ada@example.com')).toBe('grace@example.com');
  });

  it('offers the account signed in at the provider without a hint', () => {
    expect(emailToOffer(undefined, 'ada@example.com')).toBe('ada@example.com');
  });

  it.each([
    ['a blank hint', '  '],
    ['a hint given twice', ['a@example.com', 'b@example.com']],
    ['a hint that is not text', 42],
  ])('ignores %s', (_name, hint) => {
    expect(emailToOffer(hint, 'ada@example.com')).toBe('ada@example.com');
  });

  it('offers nothing with neither', () => {
    expect(emailToOffer(undefined, undefined)).toBeUndefined();
  });
});
