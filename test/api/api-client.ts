import { WebClient } from '../helpers/web-client';
import type { ApiResponse, OpenApiChecker } from '../helpers/openapi-checker';

export interface ApiRequest {
  token?: string;
  json?: unknown;
  /** A raw body with its Content-Type (a cover, or a body of the wrong type). */
  raw?: { type: string; body: Buffer | string };
  headers?: Record<string, string>;
}

/**
 * Calls the JSON API and checks every response against the OpenAPI document before the test sees it, so
 * that each call of a suite is also a check of the document.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly checker: OpenApiChecker,
  ) {}

  async call(method: string, path: string, request: ApiRequest = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...request.headers };
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    let body: BodyInit | undefined;
    if (request.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof request.json === 'string' ? request.json : JSON.stringify(request.json);
    } else if (request.raw) {
      headers['content-type'] = request.raw.type;
      // fetch sends a Buffer as it is; the DOM typings only list ArrayBuffer-backed views.
      body = request.raw.body as unknown as BodyInit;
    }
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    let parsed: unknown;
    if (text !== '' && /json/.test(response.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    const result: ApiResponse = { status: response.status, headers: response.headers, body: parsed, text };
    this.checker.check(method, path, result);
    return result;
  }
}

/** Creates a token on /account/tokens as the signed-in `client` and returns its secret, read from the page. */
export async function createToken(client: WebClient, name: string, scopes: string[], expiresInDays = '30'): Promise<string> {
  const page = await client.get('/account/tokens');
  const form = new FormData();
  form.append('_csrf', client.csrfToken(page));
  form.append('name', name);
  for (const scope of scopes) form.append('scopes', scope);
  form.append('expiresInDays', expiresInDays);
  const created = await client.post('/account/tokens', form);
  const secret = created.html.querySelector('#new-token')?.getAttribute('value');
  if (created.status !== 200 || !secret) throw new Error(`No new token on the page (${created.status}):\n${created.body.slice(0, 1500)}`);
  return secret;
}
