/**
 * What the state machine's Lambda tasks run (docs/architecture.md, "State machine ↔ Lambdas"). Errors are
 * thrown as core error classes: the state machine catches them by name. Outputs never hold TOTP codes,
 * task tokens or plaintext credentials, since they land in the execution history.
 */

import { assertMayDecide } from './approvers.js';
import { type AuditMessage, auditMessage } from './audit-message.js';
import { createAuthenticator } from './authenticator.js';
import {
  type AppError,
  ConflictError,
  ExpiredError,
  errorClasses,
  InvalidCredentialsError,
  InvalidRequestError,
  NotAnApproverError,
  NotFoundError,
  RoleNotPermittedError,
  StsFailedError,
} from './errors.js';
import { isRequestId } from './ids.js';
import type { AuditSink, AuthStore, Clock, Minter, RequestStore, SecretCipher } from './ports.js';
import { MIN_SESSION_SECONDS, resolveRoleArn, roleSessionName, sessionTags, sourceIdentity } from './roles.js';
import { seal } from './sealing.js';
import type {
  AuditEvent,
  Credentials,
  ExecutionMode,
  RequestErrorInfo,
  RequestRecord,
  RequestStatus,
} from './types.js';
import { isTerminal, requestStatuses } from './types.js';

/** Task settings (from LambdaConfig or the embedded server's options). */
export interface TaskConfig {
  maxSessionSeconds: number;
  roleAccountId?: string;
  partition: string;
  allowedRolePattern?: string;
}

/** What `createTasks` needs. */
export interface TaskDeps {
  auth: AuthStore;
  requests: RequestStore;
  cipher: SecretCipher;
  minter: Minter;
  audit: AuditSink;
  clock: Clock;
  config: TaskConfig;
}

/** Terminal statuses `recordOutcome` writes (MINTED is written by `Release Credentials`). */
export const outcomeStatuses = ['DENIED', 'EXPIRED', 'REJECTED', 'FAILED'] as const;
export type OutcomeStatus = (typeof outcomeStatuses)[number];

export interface VerifyRequesterPayload {
  requestId: string;
  totpCode: string;
  secondaryAccountName?: string;
  secondaryTotpCode?: string;
  /** `single-shot-only`: refuse rather than wait for an approver. */
  mode?: ExecutionMode;
}
export interface VerifyApproverPayload {
  requestId: string;
  accountName: string;
  totpCode: string;
}
export interface AwaitApprovalPayload {
  requestId: string;
  taskToken: string;
}
export interface MintPayload {
  requestId: string;
}
export interface RecordOutcomePayload {
  requestId: string;
  status: OutcomeStatus;
  /** The Step Functions error caught (`Error`, `Cause`); `Cause` is never copied anywhere. */
  error?: { Error: string; Cause?: string };
}

/** The state machine's tasks, and `dispatch` to route a Lambda payload by its `action`. */
export interface Tasks {
  verifyRequester(p: VerifyRequesterPayload): Promise<{ next: 'mint' | 'verifyApprover' | 'awaitApproval' }>;
  verifyApprover(p: VerifyApproverPayload): Promise<{ approvedBy: string }>;
  awaitApproval(p: AwaitApprovalPayload): Promise<{ stored: true }>;
  /** `audit` is what `Publish Audit` sends: subject, and the JSON event plus e-mail text (no secret). */
  mint(p: MintPayload): Promise<{ sealed: string; expiration: string; audit: AuditMessage }>;
  /** `audit` is what `Publish Outcome Audit` sends. */
  recordOutcome(p: RecordOutcomePayload): Promise<{ audit: AuditMessage }>;
  dispatch(payload: { action: string } & Record<string, unknown>): Promise<unknown>;
}

/** The `action` values `dispatch` routes. */
export const taskActions = ['verifyRequester', 'verifyApprover', 'awaitApproval', 'mint', 'recordOutcome'] as const;
export type TaskAction = (typeof taskActions)[number];

const nonTerminalStatuses: readonly RequestStatus[] = requestStatuses.filter((s) => !isTerminal(s));

/** Error messages of a FAILED request whose cause is not a domain error. */
const FAILED_INTERNAL: RequestErrorInfo = {
  code: 'internal',
  message: 'Minting or auditing failed; no credentials were released.',
};
const FAILED_AUDIT: RequestErrorInfo = {
  code: 'audit_failed',
  message: 'The audit event could not be published; no credentials were released.',
};
const REJECTED_INTERNAL: RequestErrorInfo = { code: 'internal', message: 'The request could not be verified.' };
/** Code of requests the embedded broker closes on start. */
export const BROKER_RESTARTED: RequestErrorInfo = {
  code: 'broker_restarted',
  message: 'The broker restarted before this request finished; no credentials were released.',
};

// Domain errors by the name Step Functions reports them under.
const errorsByName = new Map<string, () => AppError>(
  [...Object.values(errorClasses), StsFailedError].map((ErrorClass) => {
    const make = () => new ErrorClass();
    return [make().name, make];
  }),
);

/**
 * The `{code, message}` stored for an outcome. Only the error's *name* is used, with that class's own
 * default message: `Cause` may hold a stack trace or SDK text and is never copied.
 */
export function outcomeError(status: OutcomeStatus, error?: { Error?: string }): RequestErrorInfo | undefined {
  if (status === 'DENIED') return undefined;
  if (status === 'EXPIRED') return new ExpiredError().toJSON();
  const name = error?.Error ?? '';
  if (name === 'States.Timeout') return new ExpiredError().toJSON();
  const known = errorsByName.get(name);
  if (known) return known().toJSON();
  if (status === 'REJECTED') return REJECTED_INTERNAL;
  // Errors of the `sns:publish` integration are named `SNS.<Exception>`.
  if (name.startsWith('SNS.')) return FAILED_AUDIT;
  return FAILED_INTERNAL;
}

/** The audit event describing a request's terminal state. */
function outcomeEvent(record: RequestRecord, at: Date): AuditEvent {
  const type = `request.${record.status.toLowerCase()}` as AuditEvent['type'];
  const event: AuditEvent = {
    type,
    at: at.toISOString(),
    issuer: record.issuer,
    accountName: record.accountName,
    requestId: record.id,
    role: record.role,
  };
  if (record.approvedBy) event.approvedBy = record.approvedBy;
  if (record.deniedBy) event.deniedBy = record.deniedBy;
  if (record.denialReason) event.reason = record.denialReason;
  if (record.error) event.error = { code: record.error.code, message: record.error.message };
  return event;
}

/**
 * Closes a request a previous run of the embedded broker left unfinished: FAILED with code
 * `broker_restarted`, task token removed.
 * @returns the audit event to publish, or undefined if the request had already finished (or is gone).
 */
export async function closeAsRestarted(requests: RequestStore, id: string, now: Date): Promise<AuditEvent | undefined> {
  try {
    const record = await requests.transition(id, nonTerminalStatuses, 'FAILED', {
      error: BROKER_RESTARTED,
      taskToken: null,
    });
    return outcomeEvent(record, now);
  } catch (e) {
    if (e instanceof ConflictError) return undefined;
    throw e;
  }
}

// --- payload checks (the payload comes from the state machine, but is still input) ---

function field(payload: Record<string, unknown>, name: string, max = 256): string {
  const value = payload[name];
  if (typeof value !== 'string' || value === '' || value.length > max) {
    throw new InvalidRequestError(`Task payload: ${name} must be a non-empty string.`);
  }
  return value;
}

function optionalField(payload: Record<string, unknown>, name: string): string | undefined {
  // `null` too: a JSONPath selection of a missing optional value may arrive as null.
  return payload[name] === undefined || payload[name] === null ? undefined : field(payload, name);
}

/** `{mode}` when the payload names a known mode, `{}` when it names none. */
function modeField(payload: Record<string, unknown>): { mode?: ExecutionMode } {
  const mode = payload.mode;
  if (mode === undefined || mode === null) return {};
  if (mode !== 'single-shot-only') throw new InvalidRequestError('Task payload: mode is not a known mode.');
  return { mode };
}

function requestIdField(payload: Record<string, unknown>): string {
  const id = payload.requestId;
  if (!isRequestId(id)) throw new InvalidRequestError('Task payload: requestId is not a request id.');
  return id;
}

/** Builds the tasks over the ports. */
export function createTasks(deps: TaskDeps): Tasks {
  const { auth, requests, minter, clock, config } = deps;
  const authenticator = createAuthenticator(deps);

  async function load(id: string): Promise<RequestRecord> {
    const record = await requests.get(id, clock.now());
    if (!record) throw new NotFoundError();
    return record;
  }

  async function loadIn(id: string, status: RequestStatus): Promise<RequestRecord> {
    const record = await load(id);
    if (record.status !== status) {
      throw new InvalidRequestError(`The request is ${record.status}, not ${status}.`);
    }
    return record;
  }

  const tasks: Tasks = {
    /**
     * Authenticates the requester, checks the role and the named approver, and picks the path: `mint` for
     * an account without secondary authorizers (any secondary name or code is then ignored),
     * `verifyApprover` when the approver's code came along (single-shot), else `awaitApproval` — or, for a
     * `single-shot-only` request, InvalidCredentialsError.
     */
    async verifyRequester(p) {
      const record = await loadIn(p.requestId, 'VERIFYING');
      if (
        p.secondaryAccountName &&
        record.secondaryAccountName &&
        p.secondaryAccountName !== record.secondaryAccountName
      ) {
        throw new InvalidRequestError('The execution names another approver than the request.');
      }
      const entry = await authenticator.authenticate(record.issuer, record.accountName, p.totpCode);
      resolveRoleArn(record.role, entry.roles, config);
      if (entry.secondaryAuthorization.length === 0) {
        await requests.transition(record.id, ['VERIFYING'], 'APPROVED');
        return { next: 'mint' };
      }
      const named = record.secondaryAccountName ?? p.secondaryAccountName;
      if (named !== undefined) assertMayDecide({ ...record, secondaryAccountName: named }, entry, named);
      if (p.secondaryTotpCode !== undefined) {
        if (named === undefined) throw new InvalidRequestError('secondaryTotpCode needs secondaryAccountName.');
        return { next: 'verifyApprover' };
      }
      if (p.mode === 'single-shot-only') {
        // Nobody can collect credentials after this call ends. STSFTW 1.0 refused the same way: the missing
        // second code simply failed validation.
        throw new InvalidCredentialsError("This account needs the secondary authorizer's TOTP code in the same call.");
      }
      if (named !== undefined) {
        // Waiting for an approver who can never authenticate would only end in expiry: say so now.
        const approver = await auth.get(record.issuer, named);
        if (!approver?.totpSecret) throw new NotAnApproverError('The named approver has no TOTP secret enrolled.');
      }
      return { next: 'awaitApproval' };
    },

    /** Single-shot: authenticates the approver and applies the same rules as the API's approve. */
    async verifyApprover(p) {
      const record = await loadIn(p.requestId, 'VERIFYING');
      await authenticator.authenticate(record.issuer, p.accountName, p.totpCode);
      assertMayDecide(record, await auth.get(record.issuer, record.accountName), p.accountName);
      await requests.transition(record.id, ['VERIFYING'], 'APPROVED', { approvedBy: p.accountName });
      return { approvedBy: p.accountName };
    },

    /** Stores the task token the API will answer; a retried attempt replaces the token. */
    async awaitApproval(p) {
      await requests.transition(p.requestId, ['VERIFYING', 'AWAITING_APPROVAL'], 'AWAITING_APPROVAL', {
        taskToken: p.taskToken,
      });
      return { stored: true };
    },

    /** AssumeRole for an APPROVED request, sealed to the requester's key; only ciphertext leaves. */
    async mint(p) {
      const record = await loadIn(p.requestId, 'APPROVED');
      // The entry as it is now: a role removed since the request was made is no longer granted.
      const entry = await auth.get(record.issuer, record.accountName);
      if (!entry) throw new RoleNotPermittedError('The requesting account no longer exists.');
      const roleArn = resolveRoleArn(record.role, entry.roles, config);
      const durationSeconds = Math.max(MIN_SESSION_SECONDS, Math.min(record.durationSeconds, config.maxSessionSeconds));
      let credentials: Credentials;
      try {
        credentials = await minter.assumeRole({
          roleArn,
          roleSessionName: roleSessionName(record.accountName, record.issuer),
          sourceIdentity: sourceIdentity(record.accountName),
          durationSeconds,
          tags: sessionTags({ approvedBy: record.approvedBy, requestId: record.id }),
        });
      } catch (e) {
        // The exception's name tells the operator (execution history) why; its message is not copied.
        const name = e instanceof Error && /^[\w.]{1,64}$/.test(e.name) ? e.name : 'unknown error';
        throw new StsFailedError(`STS could not mint the credentials (${name}); no credentials were released.`);
      }
      const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = credentials;
      const sealed = await seal(
        record.publicKey,
        JSON.stringify({ AccessKeyId, SecretAccessKey, SessionToken, Expiration }),
        record.id,
      );
      const event: AuditEvent = {
        type: 'request.minted',
        at: clock.now().toISOString(),
        issuer: record.issuer,
        accountName: record.accountName,
        requestId: record.id,
        // `role` as the requester named it, like every other event of the request; the ARN assumed beside it.
        role: record.role,
        roleArn,
        approvedBy: record.approvedBy ?? 'none',
        expiration: Expiration,
      };
      if (record.reason) event.reason = record.reason;
      return { sealed: JSON.stringify(sealed), expiration: Expiration, audit: auditMessage(event) };
    },

    /**
     * Moves the request to its terminal outcome (from any unfinished status, or idempotently from the same
     * one), drops the task token, and returns the audit event for `Publish Outcome Audit`.
     */
    async recordOutcome(p) {
      const error = outcomeError(p.status, p.error);
      const now = clock.now();
      let record: RequestRecord;
      try {
        record = await requests.transition(p.requestId, [...nonTerminalStatuses, p.status], p.status, {
          taskToken: null,
          ...(error && { error }),
        });
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        // Already finished another way (e.g. closed by a broker restart): report what is recorded.
        const current = await load(p.requestId);
        if (!isTerminal(current.status)) throw e;
        record = current;
      }
      return { audit: auditMessage(outcomeEvent(record, now)) };
    },

    async dispatch(payload) {
      if (typeof payload !== 'object' || payload === null) {
        throw new InvalidRequestError('Task payload: not an object.');
      }
      const action = payload.action as TaskAction;
      if (!taskActions.includes(action)) throw new InvalidRequestError('Task payload: unknown action.');
      const requestId = requestIdField(payload);
      switch (action) {
        case 'verifyRequester':
          return tasks.verifyRequester({
            requestId,
            totpCode: field(payload, 'totpCode'),
            secondaryAccountName: optionalField(payload, 'secondaryAccountName'),
            secondaryTotpCode: optionalField(payload, 'secondaryTotpCode'),
            ...modeField(payload),
          });
        case 'verifyApprover':
          return tasks.verifyApprover({
            requestId,
            accountName: field(payload, 'accountName'),
            totpCode: field(payload, 'totpCode'),
          });
        case 'awaitApproval':
          return tasks.awaitApproval({ requestId, taskToken: field(payload, 'taskToken', 8192) });
        case 'mint':
          return tasks.mint({ requestId });
        case 'recordOutcome': {
          const status = payload.status;
          if (!outcomeStatuses.includes(status as OutcomeStatus)) {
            throw new InvalidRequestError('Task payload: status is not an outcome status.');
          }
          const raw = payload.error;
          let error: { Error: string; Cause?: string } | undefined;
          if (raw !== undefined && raw !== null) {
            if (typeof raw !== 'object' || typeof (raw as { Error?: unknown }).Error !== 'string') {
              throw new InvalidRequestError('Task payload: error must be {Error, Cause}.');
            }
            error = { Error: (raw as { Error: string }).Error };
          }
          return tasks.recordOutcome({ requestId, status: status as OutcomeStatus, error });
        }
      }
    },
  };
  return tasks;
}
