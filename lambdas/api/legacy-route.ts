/**
 * STSFTW 1.0 compatibility: `POST /` with 1.0's single-call body, answered with the plaintext credentials a
 * 1.0 client expects. It runs through the same broker, state machine and audit as `/v1/requests`: the
 * route plays the 2.0 CLI's part, with an X25519 key pair that lives only in this call's memory, and the
 * request is `single-shot-only` so it never waits for an approver. Refusals are plain text (`problemResponse`),
 * never JSON: 1.0's client would decode a JSON object as empty credentials. See docs/api-v1-compat.md.
 */
import type { Context } from 'hono';
import { codeWithoutApprover } from '../core/approvers.js';
import type { Broker, CreateRequestInput, RequestView } from '../core/broker.js';
import { errorSpec } from '../core/errors.js';
import { generateKeyPair, open } from '../core/sealing.js';
import type { Credentials } from '../core/types.js';
import { isTerminal } from '../core/types.js';
import { Hono } from './hono.js';
import { jsonBody, type LogFn } from './middleware.js';
import { isPublicCode, problemResponse } from './problem.js';
import { bounds, type Infer, optional, string } from './validation.js';

/** How long the route waits for the workflow by default: under API Gateway's 30-second integration limit. */
export const DEFAULT_LEGACY_TIMEOUT_MS = 25_000;

/** Options of {@link legacyRoute}; the defaults suit production, tests inject time. */
export interface LegacyRouteOptions {
  /** Longest wait for the request to finish, in ms (default 25 000). On Lambda also capped by the time left. */
  timeoutMs?: number;
  /** Milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
  /** Waits between polls (default a timer). */
  sleep?: (ms: number) => Promise<void>;
}

// Same sanity bounds as /v1/requests; the domain rules live in core.
const { name: NAME, role: ROLE, code: CODE } = bounds;

/** 1.0's `TOTPChallenge`, field names as its Go client marshals them. It always sends all six, empty when unused. */
const legacyShape = {
  Issuer: string(NAME),
  AccountName: string(NAME),
  TOTPCode: string(CODE),
  Role: string(ROLE),
  SecondaryAccountName: optional(string(NAME, 0)),
  SecondaryTOTPCode: optional(string(CODE, 0)),
};

/** Polling: start fast (single-shot usually finishes within a second or two), back off to this ceiling. */
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1_000;
const POLL_BACKOFF = 1.5;
/** Left of a Lambda invocation's time after waiting, to answer before the function times out. */
const LAMBDA_MARGIN_MS = 1_500;

const GENERIC_FAILURE = 'The credentials could not be issued; none were released.';
const TIMEOUT_DETAIL =
  'The broker did not finish in time; no credentials were returned (any minted later stay sealed to a discarded key).';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The wait budget: the configured one, or less when the Lambda invocation has less time left. */
function waitBudget(c: Context, timeoutMs: number): number {
  const lambdaContext = (c.env as { lambdaContext?: { getRemainingTimeInMillis?: () => number } } | undefined)
    ?.lambdaContext;
  const remaining = lambdaContext?.getRemainingTimeInMillis?.();
  if (typeof remaining !== 'number') return timeoutMs;
  return Math.max(0, Math.min(timeoutMs, remaining - LAMBDA_MARGIN_MS));
}

/** 1.0 sent unused secondary fields as empty strings: those mean "absent". */
function toCreateInput(body: Infer<typeof legacyShape>, publicKey: string): CreateRequestInput {
  const input: CreateRequestInput = {
    issuer: body.Issuer,
    accountName: body.AccountName,
    role: body.Role,
    totpCode: body.TOTPCode,
    publicKey,
  };
  if (body.SecondaryAccountName) input.secondaryAccountName = body.SecondaryAccountName;
  if (body.SecondaryTOTPCode) input.secondaryTotpCode = body.SecondaryTOTPCode;
  return input;
}

/** The `POST /` route. `log` receives one line when a request fails or times out (never a secret). */
export function legacyRoute(broker: Broker, log: LogFn, options: LegacyRouteOptions = {}) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LEGACY_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;

  /** Polls until the request is terminal; undefined if `deadline` passes first. */
  async function settle(id: string, deadline: number): Promise<RequestView | undefined> {
    let delay = FIRST_POLL_MS;
    for (;;) {
      const view = await broker.getRequest(id);
      if (isTerminal(view.status)) return view;
      const left = deadline - now();
      if (left <= 0) return undefined;
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * POLL_BACKOFF, MAX_POLL_MS);
    }
  }

  return new Hono().post('/', jsonBody(legacyShape), async (c) => {
    const body = c.req.valid('json');
    // Core's rule, said here in 1.0's own field names (the broker would name its 2.0 fields).
    if (
      codeWithoutApprover({
        secondaryTotpCode: body.SecondaryTOTPCode,
        secondaryAccountName: body.SecondaryAccountName,
      })
    ) {
      return problemResponse(c, 400, 'invalid_request', 'SecondaryTOTPCode needs SecondaryAccountName.');
    }
    const deadline = now() + waitBudget(c, timeoutMs);
    // The private key never leaves this closure: not stored, not logged, gone when the call returns.
    const keys = await generateKeyPair();
    const { id } = await broker.createRequest(toCreateInput(body, keys.publicKey), {
      mode: 'single-shot-only',
    });
    const view = await settle(id, deadline);
    if (!view) {
      log({ level: 'warn', msg: 'legacy request timed out', requestId: id });
      return problemResponse(c, 504, 'internal', TIMEOUT_DETAIL);
    }
    if (view.status === 'MINTED' && view.credentials) {
      const credentials = JSON.parse(await open(keys.privateKey, view.credentials.sealed, id)) as Credentials;
      const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = credentials;
      // Also set by securityHeaders; said again here because this body is plaintext credentials.
      c.header('Cache-Control', 'no-store');
      return c.json({ AccessKeyId, SecretAccessKey, SessionToken, Expiration }, 200);
    }
    // A rule refused it (REJECTED, or EXPIRED): the stored error is a domain error with its own status.
    const code = view.error?.code ?? '';
    const spec = errorSpec(code);
    if (spec && isPublicCode(code) && spec.status < 500 && view.error) {
      return problemResponse(c, spec.status, code, view.error.message);
    }
    // FAILED (STS, audit, a restart) or a refusal without a client-facing reason: the operator has the detail.
    log({ level: 'warn', msg: 'legacy request failed', requestId: id, status: view.status, errorCode: code || null });
    return problemResponse(c, 500, 'internal', GENERIC_FAILURE);
  });
}
