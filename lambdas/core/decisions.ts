/**
 * The approver's use cases (DESIGN.md §6 "Approval rules"): approve — counted once per approver toward the
 * request's quorum, the workflow resumed exactly once when it is complete — and deny, which one eligible
 * approver's code ends. The approver's code is verified here, outside the workflow, so it never enters the
 * execution history.
 */
import { quorumFor } from './approval-rules.js';
import { assertMayDecide } from './approvers.js';
import { approvedEvent, approversOf } from './audit-event.js';
import type { Authenticator } from './authenticator.js';
import type { Broker, BrokerDeps } from './broker.js';
import { validateName } from './entries.js';
import {
  AlreadyApprovedError,
  AlreadyDecidedError,
  type AppError,
  ConflictError,
  ExpiredError,
  InternalError,
  InvalidRequestError,
  NotFoundError,
} from './errors.js';
import { requireCode } from './request-input.js';
import { validateReason } from './text.js';
import { isTerminal, type RequestRecord } from './types.js';

/** What the decisions need beyond the broker's ports: its authenticator and its way of loading a request. */
export interface DecisionDeps extends BrokerDeps {
  authenticator: Authenticator;
  load(id: string): Promise<RequestRecord>;
}

/** Builds approve and deny. */
export function createDecisions(deps: DecisionDeps): Pick<Broker, 'approve' | 'deny'> {
  const { auth, requests, workflow, audit, clock, config, authenticator, load } = deps;

  function pastDeadline(record: RequestRecord): boolean {
    return clock.now().getTime() >= Date.parse(record.decisionDeadline);
  }

  /** Why a request can no longer be decided, as the error to answer with (undefined: it can). */
  function undecidable(record: RequestRecord): AppError | undefined {
    if (record.status === 'EXPIRED') return new ExpiredError();
    if (record.status === 'APPROVED' || isTerminal(record.status)) return new AlreadyDecidedError();
    if (pastDeadline(record)) return new ExpiredError();
    if (record.status === 'VERIFYING') {
      return new InvalidRequestError('The request is not yet waiting for approval, try again in a moment.');
    }
    return undefined;
  }

  /** Checks the request can be decided, authenticates the approver and applies the approver rules. */
  async function admit(
    id: string,
    input: { accountName: string; totpCode: string },
  ): Promise<{ record: RequestRecord; approver: string }> {
    const approver = validateName('account name', input.accountName);
    const totpCode = requireCode('totpCode', input.totpCode);
    const record = await load(id);
    const refusal = undecidable(record);
    if (refusal) throw refusal;
    await authenticator.authenticate(record.issuer, approver, totpCode);
    const requester = await auth.get(record.issuer, record.accountName);
    assertMayDecide(record, requester && quorumFor(requester, record.role, config), approver);
    return { record, approver };
  }

  /** Why a conditional write on `id` lost: the error that says so, from the request as it is now. */
  async function lost(id: string, approver?: string): Promise<AppError> {
    const now = await requests.get(id, clock.now());
    if (!now) return new NotFoundError();
    if (approver !== undefined && approversOf(now).includes(approver) && now.status === 'AWAITING_APPROVAL') {
      return new AlreadyApprovedError();
    }
    // Someone else decided first, the quorum filled up, or the workflow expired it meanwhile.
    return undecidable(now) ?? new AlreadyDecidedError();
  }

  /**
   * Counts `approver`'s approval (once: a second one is `already_approved`) and audits it. A counted approver
   * whose quorum is complete but not yet released (the call that completed it failed) finishes it instead.
   */
  async function count(record: RequestRecord, approver: string): Promise<RequestRecord> {
    const required = record.approvalsRequired ?? 1;
    if (approversOf(record).includes(approver)) {
      if (approversOf(record).length < required) throw new AlreadyApprovedError();
      return record;
    }
    let counted: RequestRecord;
    try {
      counted = await requests.addApproval(
        record.id,
        ['AWAITING_APPROVAL'],
        { accountName: approver, approvedAt: clock.now().toISOString() },
        required,
      );
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      throw await lost(record.id, approver);
    }
    await audit.publish(approvedEvent(counted, clock.now()));
    return counted;
  }

  /** Hands the decision to the waiting workflow; undoes the transition if that did not happen. */
  async function notify(record: RequestRecord, send: (taskToken: string) => Promise<void>): Promise<void> {
    try {
      if (!record.taskToken) throw new InternalError('The request has no workflow waiting for a decision.');
      await send(record.taskToken);
    } catch (e) {
      if (e instanceof AlreadyDecidedError) {
        // The wait is over on the workflow's side (timed out): the workflow records the outcome.
        throw pastDeadline(record) ? new ExpiredError() : e;
      }
      // The workflow did not hear about it: reopen the decision so it can be retried. If the send did
      // get through after all, `Release Credentials` (conditional on APPROVED) fails closed.
      // Approvals stay counted: a counted approver's retry finishes the quorum (`count`).
      await requests
        .transition(record.id, [record.status], 'AWAITING_APPROVAL', { deniedBy: null, denialReason: null })
        .catch(() => undefined);
      throw e;
    }
  }

  return {
    async approve(id, input) {
      const { record, approver } = await admit(id, input);
      const counted = await count(record, approver);
      const remaining = (counted.approvalsRequired ?? 1) - approversOf(counted).length;
      if (remaining > 0) return { id, status: 'AWAITING_APPROVAL', approvalsRemaining: remaining };
      // The quorum is complete: exactly one call moves it on and resumes the workflow.
      let approved: RequestRecord;
      try {
        approved = await requests.transition(id, ['AWAITING_APPROVAL'], 'APPROVED', { approvedBy: approver });
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        throw await lost(id);
      }
      await notify(approved, (token) => workflow.approve(token, { approvedBy: approver }));
      return { id, status: 'APPROVED', approvalsRemaining: 0 };
    },

    async deny(id, input) {
      const reason = validateReason(input.reason);
      const { approver: deniedBy } = await admit(id, input);
      const changes = reason === undefined ? { deniedBy } : { deniedBy, denialReason: reason };
      let record: RequestRecord;
      try {
        record = await requests.transition(id, ['AWAITING_APPROVAL'], 'DENIED', changes);
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        throw await lost(id);
      }
      await notify(record, (token) => workflow.deny(token, reason === undefined ? { deniedBy } : { deniedBy, reason }));
      return { id, status: 'DENIED' };
    },
  };
}
