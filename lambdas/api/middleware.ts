/** Edge middleware: body parsing and validation, response headers, the one-line request log. */
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { InvalidRequestError } from '../core/errors.js';
import { PAGE_CSP } from './page/style.js';
import { problemResponse, UnsupportedMediaTypeError } from './problem.js';
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
    // Read outside the try: a body the client cut off is not malformed JSON (see isClientAbort).
    const text = await c.req.text();
    let value: unknown;
    try {
      value = JSON.parse(text);
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
 * framed or used as a document. The one exception to "not a document" is the approval page's HTML, whose
 * policy allows its own hashed stylesheet and a form posting back to the broker, and nothing else.
 */
export function securityHeaders(): MiddlewareHandler[] {
  return [
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      xFrameOptions: 'DENY',
      // The page's policy, set below, must survive; every other answer gets the API's.
      overwrite: false,
    }),
    async (c, next) => {
      await next();
      c.res.headers.set('Cache-Control', 'no-store');
      if (c.res.headers.get('content-type')?.startsWith('text/html'))
        c.res.headers.set('Content-Security-Policy', PAGE_CSP);
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

/** Node's request under `@hono/node-server` (its bindings are `{incoming, outgoing}`); undefined on Lambda. */
function nodeIncoming(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: Partial<IncomingMessage> } | undefined)?.incoming;
  return typeof incoming?.complete === 'boolean' ? (incoming as IncomingMessage) : undefined;
}

/** The client closed its connection before it had sent the whole body (Node destroys the request with an error). */
function bodyCutOff(c: Context): boolean {
  const incoming = nodeIncoming(c);
  return incoming !== undefined && !incoming.complete && incoming.errored != null;
}

/**
 * True if `err` is the error of reading a body the client cut off: Node's `aborted` (ECONNRESET) error of
 * that very request, which `c.req.text()` and the body stream reject with. Nothing broke and nobody is
 * left to answer; `requestLog` logs it as an aborted request.
 */
export function isClientAbort(err: Error, c: Context): boolean {
  return bodyCutOff(c) && err === nodeIncoming(c)?.errored;
}

/** One JSON line per request: method, path (which holds the request id), status, duration. Never bodies or query strings. */
export function requestLog(log: LogFn): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    if (bodyCutOff(c)) {
      log({ level: 'info', msg: 'request aborted', method: c.req.method, path: c.req.path.slice(0, MAX_LOGGED_PATH) });
      return;
    }
    log({
      msg: 'request',
      method: c.req.method,
      path: c.req.path.slice(0, MAX_LOGGED_PATH),
      status: c.res.status,
      durationMs: Math.round(performance.now() - started),
    });
  };
}

/** How a request must name the broker: `Host` values (lowercase `name:port`) it answers to. */
export type AllowedHosts = readonly string[];

/**
 * Refuses a request whose `Host` is not one of `allowed` with 421: a web page whose name an attacker
 * resolves to 127.0.0.1 (DNS rebinding) reaches a loopback broker with its own name as Host. Only the
 * embedded broker sets this; on AWS, API Gateway and Function URLs route by Host themselves.
 */
export function hostAllowlist(allowed: AllowedHosts): MiddlewareHandler {
  const accepted = new Set(allowed.map((host) => host.toLowerCase()));
  const names = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : allowed.join('');
  const detail = `This broker answers only requests whose Host is ${names}: use the endpoint \`sts server\` printed.`;
  return async (c, next) => {
    const host = c.req.header('host')?.toLowerCase();
    if (host === undefined || !accepted.has(host)) return problemResponse(c, 421, 'invalid_request', detail);
    await next();
  };
}
