import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body's bytes exactly as sent (still compressed, if it was). */
  bytes: Buffer;
  /** Milliseconds from sending the headers to the end of the answer. */
  elapsedMs: number;
}

/**
 * Sends a request's head only, announcing `contentLength` body bytes that never come, and resolves with
 * the answer: what a stalled upload, or a server that answers without reading the body, looks like. With
 * no body announced it is an ordinary request whose answer is kept byte for byte (no decompression).
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
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body: bytes.toString(), bytes, elapsedMs: Date.now() - started });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}
