/**
 * The approver's use cases (DESIGN.md §6 "Approval rules"): approve — counted once per approver toward the
 * request's quorum, the workflow resumed exactly once when it is complete — and deny, which one eligible
 * approver's code ends. The approver's code is verified here, outside the workflow, so it never enters the
 * execution history.
 */

import { announceApproval, type WarnLog } from './announce.js';
import { quorumFor } from './approval-rules.js';
import { assertMayDecide } from './approvers.js';
import { approversOf } from './audit-event.js';
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
  /** Where a failed `request.approved` publish is reported (default: a JSON line on stderr). */
  log?: WarnLog;
}

/** Builds approve and deny. */
export function createDecisions(deps: DecisionDeps): Pick<Broker, 'approve' | 'deny'> {
  const { auth, requests, workflow, audit, clock, config, authenticator, load } = deps;
  const log = deps.log;

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

  /** `request.approved` is progress, not the gate: a failed publish is logged and never undoes an approval. */
  async function announce(record: RequestRecord): Promise<void> {
    await announceApproval(audit, record, clock.now(), log);
  }

  /**
   * Counts `approver`'s approval (once: a second one is `already_approved`). The approval that completes the
   * quorum also moves the request to APPROVED in the same conditional write; racing approvers re-read and
   * try again on the new count. A counted approver whose complete quorum was not released (the call that
   * completed it could not resume the workflow) moves it to APPROVED again instead.
   * @returns the record after the write, and whether this call decided the request.
   */
  async function count(first: RequestRecord, approver: string): Promise<RequestRecord> {
    const required = first.approvalsRequired ?? 1;
    let record = first;
    // Each failed attempt means another approval was counted meanwhile: at most `required` of them.
    for (let attempt = 0; attempt <= required; attempt++) {
      const counted = approversOf(record);
      if (counted.includes(approver)) {
        if (counted.length < required) throw new AlreadyApprovedError();
        return await requests
          .transition(record.id, ['AWAITING_APPROVAL'], 'APPROVED', { approvedBy: approver })
          .catch(async (e) => {
            throw e instanceof ConflictError ? await lost(record.id) : e;
          });
      }
      if (counted.length >= required) throw new AlreadyDecidedError();
      const completes = counted.length + 1 >= required;
      try {
        const after = await requests.addApproval(
          record.id,
          ['AWAITING_APPROVAL'],
          { accountName: approver, approvedAt: clock.now().toISOString() },
          counted.length,
          completes ? 'APPROVED' : undefined,
        );
        await announce(after);
        return after;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        const now = await requests.get(record.id, clock.now());
        if (!now) throw new NotFoundError();
        if (now.status !== 'AWAITING_APPROVAL') throw undecidable(now) ?? new AlreadyDecidedError();
        record = now;
      }
    }
    throw await lost(first.id, approver);
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
      if (counted.status !== 'APPROVED') return { id, status: 'AWAITING_APPROVAL', approvalsRemaining: remaining };
      // This call completed the quorum (only one can): it resumes the workflow.
      await notify(counted, (token) => workflow.approve(token, { approvedBy: approver }));
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
