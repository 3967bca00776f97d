import type { SessionUser } from './session-user';

/** The fields of a passport profile this app reads (passport-google-oauth20 copies them from userinfo). */
export interface ProviderProfile {
  /** The `sub` claim, as sent: any JSON value, or missing. */
  id?: unknown;
  displayName?: unknown;
  emails?: { value?: unknown }[];
  photos?: { value?: unknown }[];
}

/** The provider's answer cannot identify a person: sign-in fails, nothing is stored. */
export class ProfileRefused extends Error {
  override readonly name = 'ProfileRefused';
}

// The `sub` becomes the owner id of books: varchar(255) in SQL. OpenID allows at most 255 characters.
const MAX_SUB = 255;
const MAX_NAME = 100;
// RFC 5321's limit for a forward path; longer is not an address anyone can receive mail at.
const MAX_EMAIL = 254;
const MAX_PICTURE_URL = 2048;
// Control characters (NUL makes PostgreSQL refuse the row) and unpaired surrogates (not valid UTF-8).
const UNSAFE = /[\p{Cc}\p{Cs}]/u;
const ALL_UNSAFE = new RegExp(UNSAFE.source, 'gu');

/**
 * What the session keeps of a signed-in person, from whatever the provider sent. Google sends sane
 * claims; another OpenID provider may not, and every book this person adds carries them. The `sub`
 * is an identifier, so it is refused rather than repaired; name and email are only displayed, so they
 * are cleaned and bounded; a picture is kept only as an https URL (anything else becomes the
 * placeholder avatar: `javascript:` and `data:` have no place in an img src, `http:` is mixed content).
 */
export function sessionUserFromProfile(profile: ProviderProfile): SessionUser {
  const sub = profile.id;
  if (typeof sub !== 'string' || sub.trim() === '') throw new ProfileRefused('the provider sent no sub claim');
  if (sub.length > MAX_SUB) throw new ProfileRefused(`the sub claim is longer than ${MAX_SUB} characters`);
  if (UNSAFE.test(sub)) throw new ProfileRefused('the sub claim contains control characters');

  let email = clean(profile.emails?.[0]?.value);
  if ([...email].length > MAX_EMAIL) email = '';
  const name = [...(clean(profile.displayName) || email || 'Someone')].slice(0, MAX_NAME).join('').trim();
  return { id: sub, name, email, picture: httpsUrl(profile.photos?.[0]?.value) };
}

/** Display text: tabs and newlines become spaces, other control characters go, whitespace collapses. */
function clean(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value.replace(/\s+/g, ' ').replace(ALL_UNSAFE, '').replace(/ {2,}/g, ' ').trim();
}

function httpsUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_PICTURE_URL) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.href.length <= MAX_PICTURE_URL ? url.href : null;
  } catch {
    return null;
  }
}
