/**
 * The CLI's error classes and exit codes. What each failure says to the person, and with which exit code,
 * is in `cli/sentences/` (`describe.ts` maps any error to its sentence). Only plain classes here: the warm
 * credential_process path loads this file.
 */

/** Exit codes of `sts` beyond the API problem codes (2–8 come from `lambdas/core/errors.ts`). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  /** The request ended DENIED / EXPIRED / REJECTED / FAILED. */
  denied: 10,
  expired: 11,
  rejected: 12,
  failed: 13,
  /** sysexits.h: bad usage or missing configuration. */
  usage: 64,
  /** sysexits.h: the broker cannot be reached (refused, DNS, TLS, timeout, gateway errors). */
  unavailable: 69,
  /** sysexits.h: temporary failure, try again (e.g. the broker never settled the request). */
  tempFail: 75,
  /** Ctrl-C, as a shell reports SIGINT. */
  interrupted: 130,
} as const;

/** A failure already phrased for the user: `message` is shown as is, `exitCode` returned. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = ExitCode.usage) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** An `application/problem+json` answer of the broker (DESIGN.md §4). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/** Why the broker could not be talked to. */
export type NetworkFailure =
  | 'refused'
  | 'dns'
  | 'timeout'
  | 'tls'
  | 'unavailable'
  | 'throttled'
  | 'not_broker'
  | 'other';

/** The broker could not be reached, or what answered is not a broker. */
export class NetworkError extends Error {
  readonly reason: NetworkFailure;
  readonly endpoint: string;
  readonly detail: string;
  /** What the answer's `Retry-After` asked for (throttled / unavailable only). */
  readonly retryAfterMs?: number;
  constructor(reason: NetworkFailure, endpoint: string, detail = '', retryAfterMs?: number) {
    super(`${reason}: ${endpoint}${detail ? ` (${detail})` : ''}`);
    this.name = 'NetworkError';
    this.reason = reason;
    this.endpoint = endpoint;
    this.detail = detail;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The user pressed Ctrl-C (at a prompt or while waiting). */
export class InterruptedError extends Error {
  constructor() {
    super('Interrupted.');
    this.name = 'InterruptedError';
  }
}
