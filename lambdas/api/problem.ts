/**
 * Error answers. Under `/v1` they are RFC 9457 problem details; `code` is the stable contract (DESIGN.md
 * §4) and `detail` the domain error's message, which never carries inputs or secrets. Outside `/v1` (STSFTW
 * 1.0's `POST /`) the same code and sentence come as one line of plain text, because 1.0's client decodes
 * any JSON object as credentials (docs/api-v1-compat.md).
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '../core/errors.js';
import { messagePage } from './page/views.js';

/** Media type of every error answer under `/v1`. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Media type of error answers outside `/v1`. */
export const LEGACY_ERROR_CONTENT_TYPE = 'text/plain; charset=utf-8';

/** The body of an error answer. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
}

const titles: Record<string, string> = {
  invalid_request: 'Invalid request',
  invalid_credentials: 'Invalid credentials',
  not_an_approver: 'Not an approver',
  self_approval: 'Self-approval',
  role_not_permitted: 'Role not permitted',
  not_found: 'Not found',
  already_decided: 'Already decided',
  already_approved: 'Already approved',
  approvals_required: 'More approvals required',
  expired: 'Expired',
  locked_out: 'Locked out',
  internal: 'Internal error',
};

/** Codes a client may see; any other AppError is a bug that escaped core and is answered as `internal`. */
export function isPublicCode(code: string): boolean {
  return Object.hasOwn(titles, code);
}

/** Builds the problem body for a public `code`. */
export function problem(status: number, code: string, detail: string): Problem {
  return { type: `urn:stsftw:problem:${code}`, title: titles[code] ?? titles.internal, status, code, detail };
}

/** Whether `path` belongs to the 2.0 API, whose clients read problem details. */
function isV1Path(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/');
}

/** Whether `path` is the approval page's, whose readers are people with a browser. */
export function isPagePath(path: string): boolean {
  return path === '/approve' || path.startsWith('/approve/');
}

/**
 * The error answer, for every refusal of the app (routes, edge middleware, `notFound`, `onError`). Under
 * `/v1`: `problem(…)` as `application/problem+json`. Elsewhere — STSFTW 1.0's `POST /` — `code: detail`
 * and a newline as `text/plain`: 1.0's Go client ignores the status and `json.Unmarshal`s the body into its
 * credentials struct, which succeeds for any JSON object (or `null`) and would print empty `export` lines
 * with exit 0, while a body that is not JSON makes it exit 1. Deciding here, by path, keeps any refusal
 * from reaching a 1.0 client as JSON. Under `/approve` (the approval page) the refusal is a page.
 */
export function problemResponse(
  c: Context,
  status: number,
  code: string,
  detail: string,
): Response | Promise<Response> {
  if (isPagePath(c.req.path))
    return c.html(messagePage(problem(status, code, detail).title, detail), status as ContentfulStatusCode);
  if (!isV1Path(c.req.path)) {
    const line = `${code}: ${detail.replace(/[\r\n]+/g, ' ')}\n`;
    return c.newResponse(line, status as ContentfulStatusCode, { 'Content-Type': LEGACY_ERROR_CONTENT_TYPE });
  }
  return c.newResponse(JSON.stringify(problem(status, code, detail)), status as ContentfulStatusCode, {
    'Content-Type': PROBLEM_CONTENT_TYPE,
  });
}

/** A body over the size limit: still `invalid_request`, but with the HTTP status that says why. */
export class PayloadTooLargeError extends AppError {
  constructor(maxBytes: number) {
    super('invalid_request', 413, 2, `The request body is larger than ${maxBytes} bytes.`);
    this.name = 'PayloadTooLargeError';
  }
}

/** A body that is not `application/json`. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(message = 'The request body must be application/json.') {
    super('invalid_request', 415, 2, message);
    this.name = 'UnsupportedMediaTypeError';
  }
}
