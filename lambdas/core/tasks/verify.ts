/**
 * The verify function's tasks (docs/architecture.md, "State machine ↔ Lambdas"): check the requester and
 * the approver, store the task token the API answers, and record how a request ended. Errors are core error
 * classes: the state machine catches them by name. Outputs never hold TOTP codes or task tokens, since they
 * land in the execution history.
 */

import { announceApproval, notifyBestEffort, type WarnLog } from '../announce.js';
import { quorumFor } from '../approval-rules.js';
import { assertApproverNamed, assertMayDecide } from '../approvers.js';
import { outcomeEvent } from '../audit-event.js';
import { type AuditMessage, auditMessage } from '../audit-message.js';
import { createAuthenticator } from '../authenticator.js';
import {
  ApprovalsRequiredError,
  ConflictError,
  InvalidCredentialsError,
  InvalidRequestError,
  NotAnApproverError,
} from '../errors.js';
import { awaitingNotification, endedNotification, type NotificationLinks } from '../notification.js';
import type { AuditSink, AuthStore, Clock, Notifier, RequestStore, SecretCipher } from '../ports.js';
import { type RoleConfig, resolveRoleArn } from '../roles.js';
import { type ExecutionMode, inFlightStatuses, isTerminal, type RequestRecord } from '../types.js';
import { type OutcomeStatus, outcomeError } from './outcome.js';
import { loadRequest, loadRequestIn } from './records.js';

/** What `createVerifyTasks` needs: the stores, and the key and audit sink the authenticator uses. */
export interface VerifyTaskDeps {
  auth: AuthStore;
  requests: RequestStore;
  cipher: SecretCipher;
  audit: AuditSink;
  clock: Clock;
  /** Where bare role names live and which ARNs may be assumed: a role no ARN allows is refused here already. */
  config: RoleConfig;
  /** Where a failed `request.approved` publish or notification is reported (default: a JSON line on stderr). */
  log?: WarnLog;
  /** Who hears that a request waits for approval and how it ended (absent: nobody). */
  notifier?: Notifier;
  /** How the broker is reached from outside, for the links in notifications (read when sending). */
  links?: () => NotificationLinks;
}

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
export interface RecordOutcomePayload {
  requestId: string;
  status: OutcomeStatus;
  /** The Step Functions error caught (`Error`, `Cause`); `Cause` is never copied anywhere. */
  error?: { Error: string; Cause?: string };
}

/** The verify function's tasks. */
export interface VerifyTasks {
  verifyRequester(p: VerifyRequesterPayload): Promise<{ next: 'mint' | 'verifyApprover' | 'awaitApproval' }>;
  verifyApprover(p: VerifyApproverPayload): Promise<{ next: 'mint' | 'awaitApproval'; approvedBy: string }>;
  awaitApproval(p: AwaitApprovalPayload): Promise<{ stored: true }>;
  /** `audit` is what `Publish Outcome Audit` sends: subject, and the JSON event plus e-mail text (no secret). */
  recordOutcome(p: RecordOutcomePayload): Promise<{ audit: AuditMessage }>;
  /** After `Release Credentials`: tells those who heard the request wait that it was minted (best-effort). */
  notifyMinted(p: { requestId: string }): Promise<{ notified: boolean }>;
}

/** Builds the verify tasks over the ports. */
export function createVerifyTasks(deps: VerifyTaskDeps): VerifyTasks {
  const { auth, requests, audit, clock, config } = deps;
  const authenticator = createAuthenticator(deps);

  /** Who may approve `record` now (the requester's rule for its role), for notifications. */
  async function eligibleNow(record: RequestRecord): Promise<string[]> {
    const requester = await auth.get(record.issuer, record.accountName);
    return requester ? quorumFor(requester, record.role, config).approvers : [];
  }
  const links = () => deps.links?.() ?? {};

  /** How many of `approvers` could sign in at all (enrolled with a secret). */
  async function ableToApprove(issuer: string, approvers: readonly string[]): Promise<number> {
    const entries = await Promise.all(approvers.map((name) => auth.get(issuer, name)));
    return entries.filter((entry) => Boolean(entry?.totpSecret)).length;
  }

  return {
    /**
     * Authenticates the requester, checks the role, finds its quorum (approval-rules.ts) and picks the path:
     * `mint` for a role that needs no approval (any secondary name or code is then ignored), `verifyApprover`
     * when an approver's code came along (it counts as the first approval), else `awaitApproval` — or, for a
     * `single-shot-only` request, InvalidCredentialsError (no code) or ApprovalsRequiredError (a quorum).
     */
    async verifyRequester(p) {
      const record = await loadRequestIn(requests, clock, p.requestId, 'VERIFYING');
      if (
        p.secondaryAccountName &&
        record.secondaryAccountName &&
        p.secondaryAccountName !== record.secondaryAccountName
      ) {
        throw new InvalidRequestError('The execution names another approver than the request.');
      }
      const entry = await authenticator.authenticate(record.issuer, record.accountName, p.totpCode);
      resolveRoleArn(record.role, entry.roles, config);
      const quorum = quorumFor(entry, record.role, config);
      if (quorum.required === 0) {
        await requests.transition(record.id, ['VERIFYING'], 'APPROVED', { approvalsRequired: 0 });
        return { next: 'mint' };
      }
      if (p.mode === 'single-shot-only' && quorum.required > 1) {
        throw new ApprovalsRequiredError(
          `The role ${record.role} needs ${quorum.required} approvals, more than one call can carry: ask for it with \`sts request\`, which waits for them.`,
        );
      }
      const named = record.secondaryAccountName ?? p.secondaryAccountName;
      if (named !== undefined) {
        assertMayDecide({ ...record, secondaryAccountName: named, approvalsRequired: quorum.required }, quorum, named);
      }
      if (p.secondaryTotpCode !== undefined)
        assertApproverNamed({ secondaryAccountName: named, secondaryTotpCode: p.secondaryTotpCode });
      else if (p.mode === 'single-shot-only') {
        // Nobody can collect credentials after this call ends. STSFTW 1.0 refused the same way: the missing
        // second code simply failed validation.
        throw new InvalidCredentialsError("This account needs the secondary authorizer's TOTP code in the same call.");
      }
      // Waiting for approvers who can never authenticate would only end in expiry: say so now.
      if (p.secondaryTotpCode === undefined && named !== undefined && quorum.required === 1) {
        if ((await ableToApprove(record.issuer, [named])) === 0) {
          throw new NotAnApproverError('The named approver has no TOTP secret enrolled.');
        }
      }
      if (quorum.required > 1) {
        const able = await ableToApprove(record.issuer, quorum.approvers);
        if (able < quorum.required) {
          throw new NotAnApproverError(
            `The role ${record.role} needs ${quorum.required} approvals, but only ${able} of its approvers can sign in.`,
          );
        }
      }
      await requests.transition(record.id, ['VERIFYING'], 'VERIFYING', { approvalsRequired: quorum.required });
      return { next: p.secondaryTotpCode === undefined ? 'awaitApproval' : 'verifyApprover' };
    },

    /**
     * Single-shot: authenticates the approver, applies the same rules as the API's approve and counts the
     * approval; `mint` when that completes the quorum, else `awaitApproval` for the rest.
     */
    async verifyApprover(p) {
      const record = await loadRequestIn(requests, clock, p.requestId, 'VERIFYING');
      await authenticator.authenticate(record.issuer, p.accountName, p.totpCode);
      const requester = await auth.get(record.issuer, record.accountName);
      assertMayDecide(record, requester && quorumFor(requester, record.role, config), p.accountName);
      const required = record.approvalsRequired ?? 1;
      const completes = required <= 1;
      const counted = await requests.addApproval(
        record.id,
        ['VERIFYING'],
        { accountName: p.accountName, approvedAt: clock.now().toISOString() },
        0,
        completes ? 'APPROVED' : undefined,
      );
      await announceApproval(audit, counted, clock.now(), deps.log);
      if (!completes) return { next: 'awaitApproval', approvedBy: p.accountName };
      return { next: 'mint', approvedBy: p.accountName };
    },

    /** Stores the task token the API will answer; a retried attempt replaces the token. */
    async awaitApproval(p) {
      const record = await requests.transition(p.requestId, ['VERIFYING', 'AWAITING_APPROVAL'], 'AWAITING_APPROVAL', {
        taskToken: p.taskToken,
      });
      await notifyBestEffort(
        deps.notifier,
        async () => awaitingNotification(record, await eligibleNow(record), links(), clock.now()),
        deps.log,
      );
      return { stored: true };
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
        record = await requests.transition(p.requestId, [...inFlightStatuses, p.status], p.status, {
          taskToken: null,
          ...(error && { error }),
        });
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        // Already finished another way (e.g. closed by a broker restart): report what is recorded.
        const current = await loadRequest(requests, clock, p.requestId);
        if (!isTerminal(current.status)) throw e;
        record = current;
      }
      // Those who were told the request waits hear how it ended (a request refused before waiting needs none).
      if ((record.approvalsRequired ?? 0) > 0) {
        const ended = record;
        await notifyBestEffort(
          deps.notifier,
          async () => endedNotification(ended, await eligibleNow(ended), links(), now),
          deps.log,
        );
      }
      return { audit: auditMessage(outcomeEvent(record, now)) };
    },

    async notifyMinted(p) {
      const record = await loadRequest(requests, clock, p.requestId);
      if (record.status !== 'MINTED' || (record.approvalsRequired ?? 0) === 0) return { notified: false };
      await notifyBestEffort(
        deps.notifier,
        async () => endedNotification(record, await eligibleNow(record), links(), clock.now()),
        deps.log,
      );
      return { notified: Boolean(deps.notifier) };
    },
  };
}
