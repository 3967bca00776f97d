import { type ArgumentsHost, Logger, NotFoundException } from '@nestjs/common';
import { BookNotFound, NotBookOwner } from '../books/books.errors';
import { RateLimited } from '../rate-limits/rate-limits.errors';
import { InvalidImage } from '../storage/storage.errors';
import { loadConfig } from '../config/app-config';
import { DomainErrorFilter } from './domain-error.filter';
import {
  BackendUnavailable,
  Busy,
  CsrfRejected,
  DomainError,
  type ErrorKind,
  InvalidPageToken,
  RequestTooLarge,
  SignInRequired,
} from './domain-errors';

function answer(error: unknown, method = 'POST') {
  const response = { headersSent: false, status: jest.fn(), set: jest.fn(), render: jest.fn(), redirect: jest.fn() };
  const request = { method, path: '/books/7/edit', originalUrl: '/books/7/edit?x=1' };
  const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }) } as unknown as ArgumentsHost;
  new DomainErrorFilter().catch(error, host);
  const [view, locals] = response.render.mock.calls[0] ?? [];
  return { response, view, locals, status: response.status.mock.calls[0]?.[0] as number | undefined };
}

describe(DomainErrorFilter.name, () => {
  let logged: jest.SpyInstance;
  beforeEach(() => (logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined)));
  afterEach(() => logged.mockRestore());

  it.each(
    (
      [
        [new BookNotFound(), 404],
        [new NotBookOwner(), 403],
        [new CsrfRejected(), 403],
        [new SignInRequired(), 403],
        [new InvalidPageToken(), 400],
        [new InvalidImage(), 422],
        [new RequestTooLarge(), 413],
        [new RateLimited(30), 429],
        [new Busy(), 503],
        [new BackendUnavailable(), 503],
      ] as const
    ).map(([error, status]) => ({ name: error.name, error, status })),
  )('answers $name by its kind with $status and its message', ({ error, status }) => {
    const { status: answered, view, locals } = answer(error);
    expect(answered).toBe(status);
    expect(view).toBe('errors/error');
    expect(locals).toMatchObject({ status, message: error.message });
  });

  it('sends a GET or HEAD that needs sign-in to sign in, coming back afterwards', () => {
    for (const method of ['GET', 'HEAD']) {
      const { response } = answer(new SignInRequired(), method);
      expect(response.redirect).toHaveBeenCalledWith(302, '/oauth2authorize?return_url=%2Fbooks%2F7%2Fedit%3Fx%3D1');
      expect(response.render).not.toHaveBeenCalled();
    }
  });

  it('says when to try again', () => {
    expect(answer(new RateLimited(30)).response.set).toHaveBeenCalledWith('Retry-After', '30');
    expect(answer(new Busy('Busy now.', 7)).response.set).toHaveBeenCalledWith('Retry-After', '7');
    expect(answer(new BackendUnavailable()).response.set).toHaveBeenCalledWith('Retry-After', '5');
  });

  it('logs an unreachable backend with its cause, and shows only the message', () => {
    const { locals } = answer(new BackendUnavailable(new Error('connect ECONNREFUSED 10.0.0.5:5432')));
    expect(logged).toHaveBeenCalledWith({
      message: 'Backend unavailable on POST /books/7/edit: Error: connect ECONNREFUSED 10.0.0.5:5432',
    });
    expect(locals.message).toBe('Bookshelf cannot reach its database right now. Please try again in a moment.');
    logged.mockClear();
    answer(new Busy());
    expect(logged).not.toHaveBeenCalled();
  });

  it('answers a feature error of its own by its kind alone', () => {
    class GoneShelf extends DomainError {
      readonly kind = 'not_found' as const;
    }
    expect(answer(new GoneShelf('That shelf does not exist.'))).toMatchObject({
      status: 404,
      locals: { message: 'That shelf does not exist.' },
    });
  });

  it('answers an unknown kind and any other error as 500, logged, without their message', () => {
    class Odd extends DomainError {
      readonly kind = 'odd' as unknown as ErrorKind;
    }
    for (const error of [new Odd('secret detail'), new Error('secret detail')]) {
      logged.mockClear();
      const { status, locals } = answer(error);
      expect(status).toBe(500);
      expect(locals.message).toBe('Something went wrong on our side. Please try again.');
      expect(logged).toHaveBeenCalled();
    }
  });

  it('logs an unexpected error once, as an Error Reporting event with the service, the request and its stack', () => {
    const response = { headersSent: false, status: jest.fn(), set: jest.fn(), render: jest.fn(), redirect: jest.fn() };
    const request = {
      method: 'GET',
      path: '/books/7',
      originalUrl: '/books/7?page_token=abc',
      headers: { 'user-agent': 'curl/8' },
      ip: '203.0.113.9',
      user: { id: 'u-1' },
    };
    const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }) } as unknown as ArgumentsHost;
    const config = loadConfig({ K_SERVICE: 'bookshelf-run', K_REVISION: 'bookshelf-run-00042-abc' });
    const error = new Error('boom');
    new DomainErrorFilter(undefined, config).catch(error, host);

    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged).toHaveBeenCalledWith({
      '@type': 'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent',
      message: 'Unexpected error on GET /books/7: boom',
      stack_trace: error.stack,
      serviceContext: { service: 'bookshelf-run', version: 'bookshelf-run-00042-abc' },
      context: {
        httpRequest: { method: 'GET', url: '/books/7', responseStatusCode: 500, userAgent: 'curl/8', remoteIp: '203.0.113.9' },
        user: 'u-1',
      },
    });
    expect(loadConfig({ GAE_SERVICE: 'default', GAE_VERSION: '20250101t1200' }).serviceContext).toEqual({
      service: 'default',
      version: '20250101t1200',
    });
  });

  it('shows its own wording for a route that does not exist', () => {
    expect(answer(new NotFoundException())).toMatchObject({ status: 404, locals: { message: 'There is no page here.' } });
  });
});
