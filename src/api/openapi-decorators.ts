import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto, ValidationProblemDto } from './book.dto';
import { PROBLEM_CONTENT_TYPE } from './problem';

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } } };

const DESCRIPTIONS: Record<number, string> = {
  400: 'A malformed request: unreadable JSON, a body that is not an object, a bad `page_token` or query parameter.',
  401: 'No access token where one is needed, or an unknown, revoked or expired one.',
  403: 'The token lacks the scope, or the book belongs to someone else.',
  404: 'No such book (an unknown or malformed id).',
  413: 'The body is too large (JSON 64 KiB, a cover 8 MiB).',
  415: 'The route does not take a body of this Content-Type.',
  422: 'Invalid fields (or an image that is not an acceptable cover).',
  429: 'Rate limited (counted per token).',
  503: 'A backend is unavailable, or covers are being processed at capacity.',
};

/** The problem+json answers a route may give, documented with their schemas (and headers). */
export function Problems(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDto, ValidationProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status],
        headers:
          status === 401
            ? { 'WWW-Authenticate': { description: '`Bearer realm="bookshelf"`', schema: { type: 'string' } } }
            : status === 429 || status === 503
              ? RETRY_AFTER
              : undefined,
        content: {
          [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(status === 422 ? ValidationProblemDto : ProblemDto) } },
        },
      }),
    ),
  );
}
