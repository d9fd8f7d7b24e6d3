/**
 * The CLI's edge for errors: every failure becomes one sentence that says what to do next, plus an
 * exit code. API problem codes keep the `exitCode` of their class in `lambdas/core/errors.ts`.
 */
import { errorSpec, isAppError } from '../lambdas/core/errors.js';

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

/** The exit code of an API problem code: core's table (core/errors.ts `errorCodes`), else 1. */
export function exitCodeForProblem(code: string): number {
  return errorSpec(code)?.exitCode ?? ExitCode.failure;
}

/** What to do next after each problem code (shown after the broker's own message). */
export const problemHints: Record<string, string> = {
  invalid_request: 'Check the options (see `sts <command> --help`) and try again.',
  invalid_credentials:
    'Check --issuer, --account-name and the TOTP code, then retry with the next code your authenticator shows.',
  not_an_approver:
    "Ask the requester which accounts are listed as their approvers (their entry's secondary authorization).",
  self_approval: 'Ask another of your approvers to run `sts approve` for this request.',
  role_not_permitted: "Check --role, or ask an administrator to add the role to your account's roles.",
  not_found: 'Check the request id and that --endpoint points at the broker that made it.',
  already_decided: 'Run `sts status <id>` to see how it was decided.',
  expired: 'Make a new request with `sts request`.',
  locked_out: 'Wait 15 minutes before trying again (the lockout was announced on the audit topic).',
  internal: "Retry in a moment; if it keeps failing, check the broker's logs.",
};

/**
 * What the requester does next after a refusal whose general hint speaks to the approver (`not_an_approver`,
 * `self_approval` are mostly an approver's errors); undefined where the general hint fits.
 */
export function requesterHint(code: string, approver?: string | null): string | undefined {
  if (code === 'not_an_approver') {
    return `${approver ?? 'The approver you named'} is not one of the approvers listed for your account: name one who is with --secondary-authorizer (or STS_SECONDARY_ACCOUNT_NAME, or the profile's), or name none so that any of them may approve.`;
  }
  if (code === 'self_approval') return 'You cannot approve your own request: name one of your approvers instead.';
  return undefined;
}

function networkSentence(e: NetworkError): string {
  const at = `the broker at ${e.endpoint}`;
  switch (e.reason) {
    case 'refused':
      return `Cannot reach ${at} (connection refused): check --endpoint / STS_ENDPOINT, or start a local broker with \`sts server\`.`;
    case 'dns':
      return `Cannot resolve the host of ${at}: check --endpoint / STS_ENDPOINT and your network.`;
    case 'timeout':
      return `${capitalise(at)} did not answer in time: check your network or VPN, then retry.`;
    case 'tls':
      return `The TLS connection to ${at} failed (${e.detail}): check the endpoint's certificate and any proxy in between.`;
    case 'unavailable':
      return `${capitalise(at)} is unavailable (${e.detail}): retry in a moment; if it persists, check the deployment.`;
    case 'throttled':
      return `${capitalise(at)} is throttling requests (${e.detail}): wait a minute and retry; if it keeps happening, too many clients share the API's rate limit.`;
    case 'not_broker':
      return `${capitalise(at)} did not answer like an stsftw broker (${e.detail}): check --endpoint / STS_ENDPOINT.`;
    default:
      return `Cannot talk to ${at}${e.detail ? ` (${e.detail})` : ''}: check --endpoint / STS_ENDPOINT and your network.`;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function endSentence(s: string): string {
  return /[.!?]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`;
}

/**
 * One sentence (what happened, what to do next) and the exit code for any error. Never a stack trace:
 * unexpected errors only show their message, and the stack only with `STS_DEBUG=1`.
 */
export function describeError(
  error: unknown,
  env: Record<string, string | undefined> = {},
): {
  message: string;
  exitCode: number;
} {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ApiError) {
    const hint = problemHints[error.code] ?? problemHints.internal;
    return {
      message: `${endSentence(error.message)} ${hint} (${error.code})`,
      exitCode: exitCodeForProblem(error.code),
    };
  }
  if (isAppError(error)) {
    // A core error raised locally (e.g. sealed credentials that do not open with this key).
    return {
      message: `${endSentence(error.message)} ${problemHints[error.code] ?? problemHints.internal}`,
      exitCode: error.exitCode,
    };
  }
  if (error instanceof NetworkError) {
    const exitCode = error.reason === 'throttled' ? ExitCode.tempFail : ExitCode.unavailable;
    return { message: networkSentence(error), exitCode };
  }
  if (error instanceof InterruptedError) return { message: 'Interrupted.', exitCode: ExitCode.interrupted };
  const text = error instanceof Error ? error.message : String(error);
  const debug = env.STS_DEBUG === '1' && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return {
    message: `Unexpected error: ${endSentence(text)} Rerun with STS_DEBUG=1 for details and report it if it persists.${debug}`,
    exitCode: ExitCode.failure,
  };
}
