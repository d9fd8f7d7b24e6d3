/**
 * Reading the state machine's Lambda payloads (docs/architecture.md, "State machine ↔ Lambdas"). They come
 * from our own definition, but are still input: each field is checked before a task sees it, and a
 * malformed one is refused with InvalidRequestError (→ Record Rejection) before anything is read or spent.
 */
import { InvalidRequestError } from '../core/errors.js';
import { isRequestId } from '../core/ids.js';
import type { MintPayload } from '../core/tasks/mint.js';
import { type OutcomeStatus, outcomeStatuses } from '../core/tasks/outcome.js';
import type {
  AwaitApprovalPayload,
  RecordOutcomePayload,
  VerifyApproverPayload,
  VerifyRequesterPayload,
} from '../core/tasks/verify.js';
import type { ExecutionMode } from '../core/types.js';

/** A Lambda task's payload as it arrives. */
export type Payload = Record<string, unknown>;

function field(payload: Payload, name: string, max = 256): string {
  const value = payload[name];
  if (typeof value !== 'string' || value === '' || value.length > max) {
    throw new InvalidRequestError(`Task payload: ${name} must be a non-empty string.`);
  }
  return value;
}

function optionalField(payload: Payload, name: string): string | undefined {
  // `null` too: a JSONPath selection of a missing optional value may arrive as null.
  return payload[name] === undefined || payload[name] === null ? undefined : field(payload, name);
}

/** `{mode}` when the payload names a known mode, `{}` when it names none. */
function modeField(payload: Payload): { mode?: ExecutionMode } {
  const mode = payload.mode;
  if (mode === undefined || mode === null) return {};
  if (mode !== 'single-shot-only') throw new InvalidRequestError('Task payload: mode is not a known mode.');
  return { mode };
}

function requestIdField(payload: Payload): string {
  const id = payload.requestId;
  if (!isRequestId(id)) throw new InvalidRequestError('Task payload: requestId is not a request id.');
  return id;
}

/** `Verify Requester`: the whole execution input (with `action`, added by `Prepare Verification`). */
export function readVerifyRequester(payload: Payload): VerifyRequesterPayload {
  return {
    requestId: requestIdField(payload),
    totpCode: field(payload, 'totpCode'),
    secondaryAccountName: optionalField(payload, 'secondaryAccountName'),
    secondaryTotpCode: optionalField(payload, 'secondaryTotpCode'),
    ...modeField(payload),
  };
}

export function readVerifyApprover(payload: Payload): VerifyApproverPayload {
  return {
    requestId: requestIdField(payload),
    accountName: field(payload, 'accountName'),
    totpCode: field(payload, 'totpCode'),
  };
}

export function readAwaitApproval(payload: Payload): AwaitApprovalPayload {
  return { requestId: requestIdField(payload), taskToken: field(payload, 'taskToken', 8192) };
}

export function readMint(payload: Payload): MintPayload {
  return { requestId: requestIdField(payload) };
}

/** Only the caught error's name is kept: its `Cause` may hold a stack trace or SDK text. */
export function readRecordOutcome(payload: Payload): RecordOutcomePayload {
  const requestId = requestIdField(payload);
  const status = payload.status;
  if (!outcomeStatuses.includes(status as OutcomeStatus)) {
    throw new InvalidRequestError('Task payload: status is not an outcome status.');
  }
  const raw = payload.error;
  let error: { Error: string } | undefined;
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'object' || typeof (raw as { Error?: unknown }).Error !== 'string') {
      throw new InvalidRequestError('Task payload: error must be {Error, Cause}.');
    }
    error = { Error: (raw as { Error: string }).Error };
  }
  return { requestId, status: status as OutcomeStatus, error };
}
