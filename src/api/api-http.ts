import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AppConfig } from '../config/app-config';
import { sendProblem } from './problem';

export const API_JSON_LIMIT = '64kb';
export const COVER_UPLOAD_LIMIT = 8 * 1024 * 1024;
export const JSON_TYPES = ['application/json', 'application/merge-patch+json'];
export const COVER_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
const COVER_PATH = /^\/v1\/books\/[^/]+\/cover$/;

/**
 * What `/api/` requests meet instead of sessions and forms (mounted at `/api` by `configureApp`): CORS for
 * the origins in `API_CORS_ORIGINS` (none by default), then the body, parsed with limits: JSON (64 KiB)
 * everywhere, an image (8 MiB) only for a cover. Beyond a limit 413, unreadable JSON 400, both as problems
 * and before anything else looks at the request.
 */
export function apiMiddleware(config: AppConfig): RequestHandler {
  const origins = new Set(config.apiCorsOrigins);
  const json = express.json({ limit: API_JSON_LIMIT, type: JSON_TYPES, strict: false });
  const image = express.raw({ limit: COVER_UPLOAD_LIMIT, type: COVER_TYPES });
  return express.Router().use(
    (req: Request, res: Response, next: NextFunction) => {
      const origin = req.headers.origin;
      if (!origin || !origins.has(origin)) return next();
      res.vary('Origin');
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Expose-Headers', 'Location, Retry-After, WWW-Authenticate');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        res.set('Access-Control-Allow-Methods', 'GET, POST, PATCH, PUT, DELETE');
        res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
        res.set('Access-Control-Max-Age', '600');
        return void res.status(204).end();
      }
      next();
    },
    parsed(json),
    (req: Request, res: Response, next: NextFunction) => (COVER_PATH.test(req.path) ? parsed(image)(req, res, next) : next()),
  );
}

function parsed(parser: RequestHandler): RequestHandler {
  return (req, res, next) => {
    parser(req, res, (error?: unknown) => {
      if (!error) return next();
      const e = error as { type?: string; status?: number };
      if (e.type === 'entity.too.large' || e.status === 413) {
        return sendProblem(res, 413, 'The request body is too large: JSON at most 64 KiB, a cover at most 8 MiB.');
      }
      if (e.status === 415) return sendProblem(res, 415, 'That body encoding or character set is not supported.');
      sendProblem(res, 400, 'The request body is not valid JSON.');
    });
  };
}
