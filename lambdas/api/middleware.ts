/** Edge middleware: body parsing and validation, response headers, the one-line request log. */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { InvalidRequestError } from '../core/errors.js';
import { UnsupportedMediaTypeError } from './problem.js';
import { type Field, type Infer, parseObject, parseRequestId } from './validation.js';

/** Where the app writes its log lines (one JSON object each). */
export type LogFn = (line: object) => void;

/**
 * Requires an `application/json` body holding exactly `shape`'s fields; the parsed object is then
 * available as `c.req.valid('json')`. Runs after the body limit, so the text read here is bounded.
 */
export function jsonBody<S extends Record<string, Field<unknown>>>(
  shape: S,
): MiddlewareHandler<any, string, { out: { json: Infer<S> } }> {
  return async (c, next) => {
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (mediaType !== 'application/json') throw new UnsupportedMediaTypeError();
    let value: unknown;
    try {
      value = JSON.parse(await c.req.text());
    } catch {
      throw new InvalidRequestError('The request body is not valid JSON.');
    }
    c.req.addValidatedData('json', parseObject(shape, value));
    await next();
  };
}

/** Validates the `:id` path parameter (malformed → not_found); then `c.req.valid('param').id`. */
export const requestIdParam: MiddlewareHandler<any, string, { out: { param: { id: string } } }> = async (c, next) => {
  c.req.addValidatedData('param', { id: parseRequestId(c.req.param('id')) });
  await next();
};

/**
 * Headers for an API that hands out credentials: nothing may be cached (by browsers or proxies), sniffed,
 * framed or used as a document.
 */
export function securityHeaders(): MiddlewareHandler[] {
  return [
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      xFrameOptions: 'DENY',
    }),
    async (c, next) => {
      await next();
      c.res.headers.set('Cache-Control', 'no-store');
    },
  ];
}

const MAX_LOGGED_PATH = 256;

/**
 * Hono's error handler only sees `Error` instances; anything else thrown below would escape the app
 * (a failed invocation on Lambda). Wrap it so `onError` answers it like any other bug.
 */
export const wrapNonErrors: MiddlewareHandler = async (_c, next) => {
  try {
    await next();
  } catch (e) {
    if (e instanceof Error) throw e;
    throw new Error(`non-Error thrown: ${String(e)}`);
  }
};

/** One JSON line per request: method, path (which holds the request id), status, duration. Never bodies or query strings. */
export function requestLog(log: LogFn): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    log({
      msg: 'request',
      method: c.req.method,
      path: c.req.path.slice(0, MAX_LOGGED_PATH),
      status: c.res.status,
      durationMs: Math.round(performance.now() - started),
    });
  };
}
