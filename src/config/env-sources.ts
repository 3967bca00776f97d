import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

type Env = Record<string, string | undefined>;

/**
 * Settings that may come from a file instead (`NAME_FILE`): Secret Manager volumes on Cloud Run,
 * Kubernetes secrets. The file is read once, at start, so a rotated secret is used from the next start.
 */
export const FILE_SETTINGS = [
  'SESSION_SECRET',
  'GOOGLE_OAUTH2_CLIENT_SECRET',
  'SQL_URL',
  'SQL_PASSWORD',
  'REDIS_URL',
  'MONGODB_URL',
] as const;

/**
 * `.env` in the working folder, parsed by Node's own parser (`util.parseEnv`, the one behind
 * `node --env-file`): `KEY=value`, quotes, `export`, `#` comments on their own line or after an unquoted
 * value, as `.env.example` writes them. Missing file: nothing. Variables already in the environment win.
 */
export function readDotenv(path: string, problems: string[]): Env {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    problems.push(`${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return {};
  }
  return parseEnv(text);
}

/**
 * Replaces every `NAME_FILE` by the content of its file as `NAME` (trailing newline and surrounding
 * whitespace dropped). Both forms of one setting, an unreadable file or an empty one: a problem each.
 */
export function resolveSecretFiles(env: Env, problems: string[]): Env {
  const resolved: Env = { ...env };
  for (const name of FILE_SETTINGS) {
    const file = env[`${name}_FILE`]?.trim();
    if (!file) continue;
    if (env[name]?.trim()) {
      problems.push(`${name} and ${name}_FILE are both set: set one of them`);
      continue;
    }
    try {
      const value = readFileSync(file, 'utf8').trim();
      if (value) resolved[name] = value;
      else problems.push(`${name}_FILE names an empty file (${file})`);
    } catch (error) {
      problems.push(`${name}_FILE cannot be read: ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  return resolved;
}

/**
 * `SQL_PASSWORD` (usually from `SQL_PASSWORD_FILE`) put into a PostgreSQL or MySQL `SQL_URL` that names a
 * user and no password. Done on the text, since Cloud SQL socket URLs (`postgres://user@/db?host=...`)
 * have no host and are not valid WHATWG URLs.
 */
export function withSqlPassword(sqlUrl: string, password: string | undefined, problems: string[]): string {
  if (!password) return sqlUrl;
  const match = /^((?:postgres(?:ql)?|mysql):\/\/)([^:@/?#]+)(:[^@/?#]*)?@/.exec(sqlUrl);
  if (!match) {
    problems.push('SQL_PASSWORD needs a postgres:// or mysql:// SQL_URL with a user name (postgres://USER@HOST/DB)');
    return sqlUrl;
  }
  if (match[3]) {
    problems.push('SQL_URL has a password already: set it there or in SQL_PASSWORD, not both');
    return sqlUrl;
  }
  return `${match[1]}${match[2]}:${encodeURIComponent(password)}${sqlUrl.slice(match[0].length - 1)}`;
}

/** Whitespace then `#`: a comment that `docker run --env-file` or `env $(cat .env)` kept as part of the value. */
export const TRAILING_COMMENT = /\s#/;
