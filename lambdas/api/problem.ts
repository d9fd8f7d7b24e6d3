/**
 * RFC 9457 problem details: the only error shape the API answers with. `code` is the stable contract
 * (DESIGN.md §4); `detail` is the domain error's message, which never carries inputs or secrets.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '../core/errors.js';

/** Media type of every error answer. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

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

/** The error answer: `problem(…)` as `application/problem+json`. */
export function problemResponse(c: Context, status: number, code: string, detail: string): Response {
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
  constructor() {
    super('invalid_request', 415, 2, 'The request body must be application/json.');
    this.name = 'UnsupportedMediaTypeError';
  }
}
