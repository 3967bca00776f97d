import type { RequestOptions } from 'node:http';

/** How long the provider may take to answer the token or the userinfo request (each). */
export const PROVIDER_CALL_TIMEOUT_MS = 5000;

type Callback = (error: unknown, ...results: unknown[]) => void;

/** node-oauth's OAuth2 (passport-oauth2 keeps one as `strategy._oauth2`): the one method every call goes through. */
interface OAuth2Requests {
  _executeRequest(library: unknown, options: RequestOptions, body: unknown, callback: Callback): void;
}

export class ProviderTimeout extends Error {
  override readonly name = 'ProviderTimeout';
}

/**
 * node-oauth sends the token and userinfo requests with no timeout at all, so a provider that accepts the
 * connection and never answers would hold the sign-in (and a socket) forever. Its
 * `_executeRequest(library, options, body, callback)` makes every request; wrapping it gives each call
 * a deadline: after `ms` the callback gets a ProviderTimeout and the request is aborted through
 * `options.signal`. A socket timeout (`options.timeout`) would not do: it measures idleness, so a
 * provider dripping a byte a second would never trip it. The callback is guarded because node-oauth may
 * still call it after the abort (for Google's hosts it also answers on `close`, see `allowEarlyClose`).
 */
export function addProviderDeadline(oauth2: unknown, ms = PROVIDER_CALL_TIMEOUT_MS): void {
  const target = oauth2 as OAuth2Requests;
  const execute = target._executeRequest;
  target._executeRequest = function (library, options, body, callback) {
    const controller = new AbortController();
    let settled = false;
    const settle: Callback = (...args) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      callback(...args);
    };
    const timer = setTimeout(() => {
      settle(new ProviderTimeout(`${options.host ?? 'the provider'} did not answer within ${ms / 1000} s`));
      controller.abort();
    }, ms);
    try {
      execute.call(this, library, { ...options, signal: controller.signal }, body, settle);
    } catch (error) {
      settled = true;
      clearTimeout(timer);
      throw error;
    }
  };
}
