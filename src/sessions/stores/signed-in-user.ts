/**
 * The signed-in user's id in a session: `passport.user.id`, where passport's serializer keeps the
 * SessionUser (src/auth/session.serializer.ts). Null for a session of nobody signed in, which no store
 * indexes.
 */
export function signedInUserOf(session: unknown): string | null {
  const id = (session as { passport?: { user?: { id?: unknown } } } | null | undefined)?.passport?.user?.id;
  return typeof id === 'string' && id !== '' ? id : null;
}
