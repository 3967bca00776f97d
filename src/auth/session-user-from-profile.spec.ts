import { ProfileRefused, sessionUserFromProfile } from './session-user-from-profile';

const ADA = {
  id: '1234567890',
  displayName: 'Ada Lovelace',
  emails: [{ value: 'ada@example.com' }],
  photos: [{ value: 'https://lh3.googleusercontent.com/a/ada=s96-c' }],
};

describe(sessionUserFromProfile.name, () => {
  it("keeps a sane profile as it is, under the provider's sub", () => {
    expect(sessionUserFromProfile(ADA)).toEqual({
      id: '1234567890',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      picture: 'https://lh3.googleusercontent.com/a/ada=s96-c',
    });
  });

  it('refuses a profile without a usable sub', () => {
    const unusable = [undefined, null, '', '   ', 42, ['a'], { sub: 'a' }, 'x'.repeat(256), 'a\u0000b', 'line\nbreak', '\ud800lone'];
    const accepted = unusable.filter((id) => {
      try {
        sessionUserFromProfile({ ...ADA, id });
        return true;
      } catch (error) {
        if (error instanceof ProfileRefused) return false;
        throw error;
      }
    });
    expect(accepted).toEqual([]);
    expect(sessionUserFromProfile({ ...ADA, id: 's'.repeat(255) }).id).toHaveLength(255);
  });

  it('bounds a name to 100 characters and removes control characters', () => {
    const user = sessionUserFromProfile({ ...ADA, displayName: `Ada\u0000 \u0007Love\u200Blace\n\t${'y'.repeat(100_000)}` });
    expect(user.name).toBe(`Ada Love\u200Blace ${'y'.repeat(100 - 'Ada Love\u200Blace '.length)}`);
    expect([...user.name]).toHaveLength(100);
    expect(sessionUserFromProfile({ ...ADA, displayName: `${'🦊'.repeat(150)}` }).name).toBe('🦊'.repeat(100));
    expect(sessionUserFromProfile({ ...ADA, displayName: '  Zoë  "quoted" ' }).name).toBe('Zoë "quoted"');
  });

  it('falls back to the email, then to "Someone", for a missing or unusable name', () => {
    expect(sessionUserFromProfile({ ...ADA, displayName: '\u0000\u0001 ' }).name).toBe('ada@example.com');
    expect(sessionUserFromProfile({ id: 'x', displayName: { first: 'Ada' } })).toEqual({
      id: 'x',
      name: 'Someone',
      email: '',
      picture: null,
    });
  });

  it('cleans the email and drops one longer than 254 characters', () => {
    expect(sessionUserFromProfile({ ...ADA, emails: [{ value: ' ada@example.com\u0000 ' }] }).email).toBe('ada@example.com');
    expect(sessionUserFromProfile({ ...ADA, emails: [{ value: `${'a'.repeat(250)}@example.com` }] }).email).toBe('');
    expect(sessionUserFromProfile({ ...ADA, emails: [{ value: 7 }] }).email).toBe('');
  });

  it('keeps a picture only as an https URL of bounded length', () => {
    const pictureOf = (value: unknown) => sessionUserFromProfile({ ...ADA, photos: [{ value }] }).picture;
    expect(pictureOf('javascript:alert(1)')).toBeNull();
    expect(pictureOf('JavaScript:alert(1)//https://x')).toBeNull();
    expect(pictureOf('data:image/svg+xml,<svg onload=alert(1)>')).toBeNull();
    expect(pictureOf('http://example.com/a.png')).toBeNull();
    expect(pictureOf('//example.com/a.png')).toBeNull();
    expect(pictureOf('/relative.png')).toBeNull();
    expect(pictureOf(`https://example.com/${'a'.repeat(2100)}`)).toBeNull();
    expect(pictureOf({ href: 'https://example.com' })).toBeNull();
    expect(pictureOf('https://example.com/a b.png')).toBe('https://example.com/a%20b.png');
    expect(sessionUserFromProfile({ id: 'x', displayName: 'X' }).picture).toBeNull();
  });
});
