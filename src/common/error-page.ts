import type { Response } from 'express';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  403: 'Not allowed',
  404: 'Not found',
  413: 'Too large',
  422: 'Not accepted',
  429: 'Too many requests',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
};

/** Renders `views/errors/error.hbs`; shared by the exception filter and the Express-level middleware. */
export function renderErrorPage(res: Response, status: number, message: string, retryAfterSeconds?: number): void {
  res.status(status);
  if (retryAfterSeconds !== undefined) res.set('Retry-After', String(Math.max(1, Math.ceil(retryAfterSeconds))));
  else if (status === 503) res.set('Retry-After', '5');
  const title = TITLES[status] ?? 'Error';
  res.render('errors/error', { title, status, message, notFound: status === 404 }, (error, html) => {
    // If even the page cannot render (for example the layout needs the session), answer in plain text.
    if (error) res.type('text/plain').send(`${status} ${title}: ${message}`);
    else res.send(html);
  });
}
