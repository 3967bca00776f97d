import { parseTokenForm } from './token-form';

describe('parseTokenForm', () => {
  it('reads name, scopes (one or repeated) and a lifetime; nothing else', () => {
    expect(
      parseTokenForm({ name: ' laptop ', scopes: ['books:read', 'books:write', 'books:read'], expiresInDays: '365', userId: 'x' }),
    ).toEqual({
      values: { name: 'laptop', scopes: ['books:read', 'books:write'], expiresInDays: 365 },
      errors: {},
      valid: true,
    });
    expect(parseTokenForm({ name: 'ci', scopes: 'books:write', expiresInDays: 'none' }).values).toEqual({
      name: 'ci',
      scopes: ['books:write'],
      expiresInDays: null,
    });
  });

  it('refuses a missing name, unknown or no scopes and other lifetimes', () => {
    const result = parseTokenForm({ name: 'a\u0000', scopes: ['admin'], expiresInDays: '7' });
    expect(result.valid).toBe(false);
    expect(Object.keys(result.errors).sort()).toEqual(['expiresInDays', 'name', 'scopes']);
    expect(parseTokenForm({ name: 'x', expiresInDays: '30' }).errors).toEqual({ scopes: 'Choose at least one scope.' });
    expect(parseTokenForm({ name: 'x'.repeat(101), scopes: 'books:read', expiresInDays: '30' }).errors.name).toMatch(/at most 100/);
  });
});
