/** The session cookie's name (not express-session's default, which names the framework). */
export const SESSION_COOKIE = 'bookshelf.sid';
