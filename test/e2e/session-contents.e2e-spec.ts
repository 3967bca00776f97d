import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startApp, type RunningApp } from '../helpers/app-process';
import { WebClient } from '../helpers/web-client';

describe('what the session keeps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-session-'));
  const file = join(dir, 'bookshelf.sqlite');
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp({ SQL_URL: `sqlite:${file}` });
  });

  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the profile fields and a CSRF token, never an access or refresh token', async () => {
    const client = new WebClient(app.baseUrl);
    await client.signIn('ada@example.com', 'Ada');
    const database = new Database(file, { readonly: true });
    try {
      const rows = database.prepare('select data from sessions').all() as { data: string }[];
      expect(rows).toHaveLength(1);
      const data = JSON.parse(rows[0].data) as Record<string, unknown>;
      expect(Object.keys(data).sort()).toEqual(['cookie', 'csrfToken', 'passport', 'signedInAt', 'userAgent']);
      expect(data.signedInAt).toEqual(expect.any(Number));
      // The user agent at sign-in (for the account page), bounded.
      expect(data.userAgent).toEqual(expect.any(String));
      expect((data.userAgent as string).length).toBeLessThanOrEqual(512);
      const user = (data.passport as { user: Record<string, unknown> }).user;
      expect(Object.keys(user).sort()).toEqual(['email', 'id', 'name', 'picture']);
      expect(user).toMatchObject({ email: 'ada@example.com', name: 'Ada' });
      expect(rows[0].data).not.toMatch(/access_?token|refresh_?token|id_token/i);
    } finally {
      database.close();
    }
  });
});
