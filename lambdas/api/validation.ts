/**
 * Hand-written edge validation: JSON bodies are objects with exactly the known fields, each of the
 * right type. Messages name the field but never echo a value (a value may be a TOTP code).
 */
import { InvalidRequestError, NotFoundError } from '../core/errors.js';
import { isRequestId } from '../core/ids.js';
import { MAX_WAIT_SECONDS } from '../core/request-wait.js';
import { type RequestStatus, requestStatuses } from '../core/types.js';

/**
 * Sanity bounds of the string fields every route shares (in UTF-16 units). They are generous: the domain
 * rules (name syntax, 6-digit codes) live in core.
 */
export const bounds = {
  name: 256,
  role: 2048, // an IAM role ARN's maximum length
  code: 16,
} as const;

/** One field of a body shape. */
export interface Field<T, Optional extends boolean = boolean> {
  readonly optional: Optional;
  parse(value: unknown, name: string): T;
}

/** A string of `min`..`max` UTF-16 units. */
export function string(max: number, min = 1): Field<string, false> {
  return {
    optional: false,
    parse(value, name) {
      if (typeof value !== 'string') throw new InvalidRequestError(`${name} must be a string.`);
      if (value.length < min || value.length > max) {
        throw new InvalidRequestError(`${name} must be ${min} to ${max} characters long.`);
      }
      return value;
    },
  };
}

/** A safe integer (ranges are domain rules, checked by core). */
export function integer(): Field<number, false> {
  return {
    optional: false,
    parse(value, name) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        throw new InvalidRequestError(`${name} must be an integer.`);
      }
      return value;
    },
  };
}

/** The same field, which may be left out (but not sent as null or another type). */
export function optional<T>(field: Field<T, false>): Field<T, true> {
  return { optional: true, parse: field.parse };
}

type Shape = Record<string, Field<unknown>>;
type Required<S extends Shape> = { [K in keyof S as S[K] extends Field<unknown, false> ? K : never]: ParsedOf<S[K]> };
type Optionals<S extends Shape> = { [K in keyof S as S[K] extends Field<unknown, true> ? K : never]?: ParsedOf<S[K]> };
type ParsedOf<F> = F extends Field<infer T> ? T : never;
/** The object type a shape parses into. */
export type Infer<S extends Shape> = Required<S> & Optionals<S>;

const SAFE_FIELD_NAME = /^[A-Za-z0-9_]{1,64}$/;

/** Parses `value` as an object of exactly `shape`'s fields: InvalidRequestError otherwise. */
export function parseObject<S extends Shape>(shape: S, value: unknown): Infer<S> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError('The request body must be a JSON object.');
  }
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(shape, key)) {
      // Only echo names that look like names: the key is client input too.
      throw new InvalidRequestError(SAFE_FIELD_NAME.test(key) ? `Unknown field: ${key}.` : 'Unknown field.');
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    if (!Object.hasOwn(input, key)) {
      if (field.optional) continue;
      throw new InvalidRequestError(`${key} is required.`);
    }
    out[key] = field.parse(input[key], key);
  }
  return out as Infer<S>;
}

/** Returns `id` if it is a well-formed request id; a malformed one cannot exist, so NotFoundError. */
export function parseRequestId(id: string | undefined): string {
  if (!isRequestId(id)) throw new NotFoundError();
  return id;
}

/** `?wait=S&status=X[&approvals=N]` as parsed: wait up to `seconds` for the request to leave `status` (or `approvals`). */
export interface WaitQuery {
  seconds: number;
  status: RequestStatus;
  approvals?: number;
}

/** `c.req.queries(name)` of each long-poll parameter. */
export interface WaitParameters {
  wait?: string[];
  status?: string[];
  approvals?: string[];
}

const WAIT_SECONDS = /^\d{1,2}$/;
const COUNT = /^\d{1,3}$/;
const STATUS_LIST = requestStatuses.join(', ');

/**
 * The long-poll parameters of `GET /v1/requests/{id}`: undefined when none is present (a plain read). `wait`
 * is whole seconds from 0 to 20, `status` one of the request statuses, the optional `approvals` a whole
 * number (the count the client last saw); `wait` and `status` need each other, `approvals` needs both, and
 * each may be given once. Other parameters stay ignored.
 * @throws InvalidRequestError with a sentence that names the parameter (never its value).
 */
export function parseWaitQuery({ wait, status, approvals }: WaitParameters): WaitQuery | undefined {
  if (wait === undefined && status === undefined && approvals === undefined) return undefined;
  if (wait === undefined && status === undefined) {
    throw new InvalidRequestError(
      'approvals needs wait and status, e.g. ?wait=20&status=AWAITING_APPROVAL&approvals=1.',
    );
  }
  if (status === undefined) {
    throw new InvalidRequestError(
      'wait needs status: the status you last saw, e.g. ?wait=20&status=AWAITING_APPROVAL.',
    );
  }
  if (wait === undefined) {
    throw new InvalidRequestError(
      `status needs wait: how many seconds (0 to ${MAX_WAIT_SECONDS}) to wait for a change.`,
    );
  }
  if (wait.length > 1 || status.length > 1 || (approvals?.length ?? 0) > 1) {
    throw new InvalidRequestError('wait, status and approvals may be given once each.');
  }
  const seconds = WAIT_SECONDS.test(wait[0]) ? Number(wait[0]) : Number.NaN;
  if (!(seconds <= MAX_WAIT_SECONDS)) {
    throw new InvalidRequestError(`wait must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}.`);
  }
  if (!(requestStatuses as readonly string[]).includes(status[0])) {
    throw new InvalidRequestError(`status must be one of ${STATUS_LIST}.`);
  }
  const query: WaitQuery = { seconds, status: status[0] as RequestStatus };
  if (approvals !== undefined) {
    if (!COUNT.test(approvals[0])) {
      throw new InvalidRequestError('approvals must be a whole number: the count of approvals you last saw.');
    }
    query.approvals = Number(approvals[0]);
  }
  return query;
}
