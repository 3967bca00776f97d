import type { Request, Response } from 'express';

/**
 * A part of the app that answers its own errors in another format than the error page (the JSON API's
 * `application/problem+json`). `DomainErrorFilter` asks it first; it answers and returns true for the
 * requests it owns, and returns false for every other.
 */
export abstract class ErrorResponder {
  abstract respond(error: unknown, req: Request, res: Response): boolean;
}
