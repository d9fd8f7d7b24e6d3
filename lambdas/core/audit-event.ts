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

/**
 * `request.minted`: `role` as the requester named it, like every other event of the request, and the ARN
 * assumed beside it; `approvedBy` is `none` for a single-factor account.
 */
export function mintedEvent(
  record: RequestRecord,
  minted: { roleArn: string; expiration: string },
  at: Date,
): AuditEvent {
  const event: AuditEvent = {
    ...requestEvent('request.minted', record, at),
    roleArn: minted.roleArn,
    approvedBy: record.approvedBy ?? 'none',
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
  if (record.approvedBy) event.approvedBy = record.approvedBy;
  if (record.deniedBy) event.deniedBy = record.deniedBy;
  if (record.denialReason) event.reason = record.denialReason;
  if (record.error) event.error = { code: record.error.code, message: record.error.message };
  return event;
}
