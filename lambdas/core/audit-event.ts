/**
 * What an audit event about a request holds (how it reads once delivered is `audit-message.ts`). Built from
 * the stored record only: it never holds a TOTP code, a task token or a credential.
 */
import type { AuditEvent, RequestRecord } from './types.js';

/** The fields every event about a request carries. */
function requestEvent(type: AuditEvent['type'], record: RequestRecord, at: Date): AuditEvent {
  return {
    type,
    at: at.toISOString(),
    issuer: record.issuer,
    accountName: record.accountName,
    requestId: record.id,
    role: record.role,
  };
}

/** Everyone who approved, in order: the recorded approvals, or (a request decided by an older broker) `approved_by`. */
export function approversOf(record: Pick<RequestRecord, 'approvals' | 'approvedBy'>): string[] {
  if (record.approvals?.length) return record.approvals.map((approval) => approval.accountName);
  return record.approvedBy ? [record.approvedBy] : [];
}

/**
 * `request.minted`: `role` as the requester named it, like every other event of the request, and the ARN
 * assumed beside it; `approvedBy` lists every approver (`[]` when the role needed none).
 */
export function mintedEvent(
  record: RequestRecord,
  minted: { roleArn: string; expiration: string },
  at: Date,
): AuditEvent {
  const event: AuditEvent = {
    ...requestEvent('request.minted', record, at),
    roleArn: minted.roleArn,
    approvedBy: approversOf(record),
    expiration: minted.expiration,
  };
  if (record.reason) event.reason = record.reason;
  return event;
}

/**
 * The event describing a request's terminal state (`request.<status>`), with who decided it and why, or the
 * error it ended with. Used by `recordOutcome` and by the embedded broker's restart recovery.
 */
export function outcomeEvent(record: RequestRecord, at: Date): AuditEvent {
  const event = requestEvent(`request.${record.status.toLowerCase()}` as AuditEvent['type'], record, at);
  const approvers = approversOf(record);
  if (approvers.length > 0) event.approvedBy = approvers;
  if (record.deniedBy) event.deniedBy = record.deniedBy;
  if (record.denialReason) event.reason = record.denialReason;
  if (record.error) event.error = { code: record.error.code, message: record.error.message };
  return event;
}

/** `request.approved`: one approval counted; `approvedBy` lists the approvals so far, the newest last. */
export function approvedEvent(record: RequestRecord, at: Date): AuditEvent {
  const approvers = approversOf(record);
  return {
    ...requestEvent('request.approved', record, at),
    approvedBy: approvers,
    approvalCount: approvers.length,
    approvalsRequired: record.approvalsRequired ?? 1,
  };
}
