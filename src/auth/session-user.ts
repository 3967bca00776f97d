/** What the session keeps of the signed-in person: profile fields for display, never tokens. */
export interface SessionUser {
  /** The provider's `sub` claim: the owner id of the books this person adds. */
  id: string;
  name: string;
  email: string;
  picture: string | null;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
  }
}
