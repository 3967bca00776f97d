import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Milliseconds from sending the headers to the end of the answer. */
  elapsedMs: number;
}

/**
 * Sends a request's head only, announcing `contentLength` body bytes that never come, and resolves with
 * the answer: what a stalled upload, or a server that answers without reading the body, looks like.
 */
export function sendHeadOnly(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  contentLength = 0,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const req = request({
      host: '127.0.0.1',
      port,
      method,
      path,
      agent: false,
      headers: { ...headers, 'content-length': String(contentLength) },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, elapsedMs: Date.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}
