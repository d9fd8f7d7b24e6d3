/**
 * Approval notifications (issue 10): what the eligible approvers and the requester are told when a request
 * starts waiting for approval and when it ends. Not the audit: best-effort, never a TOTP code, a task token or
 * a credential — only fields of the stored request, the approvers' names and links to decide.
 */
import { approversOf } from './audit-event.js';
import { printable } from './audit-message.js';
import { verificationCode } from './ids.js';
import type { RequestRecord } from './types.js';

/** What a notification is about. */
export type NotificationType =
  | 'request.awaiting_approval'
  | 'request.minted'
  | 'request.denied'
  | 'request.expired'
  | 'request.rejected'
  | 'request.failed';

/** One notification event (the JSON a webhook or the approvals topic receives as `event`). */
export interface Notification {
  type: NotificationType;
  at: string;
  requestId: string;
  issuer: string;
  /** The requester's account name. */
  requester: string;
  role: string;
  reason: string | null;
  durationSeconds: number;
  verificationCode: string;
  decisionDeadline: string;
  /** Who may approve (the requester's rule for the role at the time of sending). */
  approvers: string[];
  approvalsRequired: number;
  /** Approvals counted so far, in order. */
  approvedBy: string[];
  /** The web page to decide on (absent when the broker does not know its public address). */
  approveUrl?: string;
  /** The `sts approve …` line, runnable as printed once `<you>` is replaced by the approver's name. */
  approveCommand: string;
  deniedBy?: string;
  error?: { code: string; message: string };
}

/** How the broker is reached from outside: the base URL of its API (no trailing slash). */
export interface NotificationLinks {
  publicUrl?: string;
  /** Whether the broker serves the approval page (`GET /approve/{id}`), so `approveUrl` leads somewhere. */
  approvePage?: boolean;
}

/** A shell word: as is when plainly safe, else single-quoted. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/** `sts approve r_… [--endpoint URL] --issuer I --account-name <you>`. */
export function approveCommandFor(record: Pick<RequestRecord, 'id' | 'issuer'>, links: NotificationLinks): string {
  const endpoint = links.publicUrl ? ` --endpoint ${shellWord(links.publicUrl)}` : '';
  return `sts approve ${record.id}${endpoint} --issuer ${shellWord(record.issuer)} --account-name <you>`;
}

function base(
  type: NotificationType,
  record: RequestRecord,
  approvers: readonly string[],
  links: NotificationLinks,
  at: Date,
): Notification {
  const notification: Notification = {
    type,
    at: at.toISOString(),
    requestId: record.id,
    issuer: record.issuer,
    requester: record.accountName,
    role: record.role,
    reason: record.reason ?? null,
    durationSeconds: record.durationSeconds,
    verificationCode: verificationCode(record.id, record.publicKey),
    decisionDeadline: record.decisionDeadline,
    approvers: [...approvers],
    approvalsRequired: record.approvalsRequired ?? 1,
    approvedBy: approversOf(record),
    approveCommand: approveCommandFor(record, links),
  };
  if (links.publicUrl && links.approvePage) notification.approveUrl = `${links.publicUrl}/approve/${record.id}`;
  return notification;
}

/** `request.awaiting_approval`: the request waits for `approvers`. */
export function awaitingNotification(
  record: RequestRecord,
  approvers: readonly string[],
  links: NotificationLinks,
  at: Date,
): Notification {
  return base('request.awaiting_approval', record, approvers, links, at);
}

/** The end of a request that waited for approval (`request.<status>`), with who denied it or why it failed. */
export function endedNotification(
  record: RequestRecord,
  approvers: readonly string[],
  links: NotificationLinks,
  at: Date,
): Notification {
  const type = `request.${record.status.toLowerCase()}` as NotificationType;
  const notification = base(type, record, approvers, links, at);
  if (record.deniedBy) notification.deniedBy = record.deniedBy;
  if (record.error) notification.error = { code: record.error.code, message: record.error.message };
  return notification;
}

function minutes(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
}

/** One readable paragraph (a chat message, a console line): user input made printable, no secret. */
export function notificationText(n: Notification): string {
  const who = `${printable(n.requester)} (${printable(n.issuer)})`;
  const role = printable(n.role);
  const reason = n.reason ? ` Reason: "${printable(n.reason)}".` : '';
  const decided = n.approvedBy.length ? ` Approved so far by ${n.approvedBy.map(printable).join(', ')}.` : '';
  switch (n.type) {
    case 'request.awaiting_approval': {
      const needs = n.approvalsRequired === 1 ? 'one approval' : `${n.approvalsRequired} approvals`;
      const from = n.approvers.length ? ` from ${n.approvers.map(printable).join(', ')}` : '';
      const link = n.approveUrl ? `${n.approveUrl} or ` : '';
      return `${who} asks for ${role} for ${minutes(n.durationSeconds)}.${reason} Verification code ${n.verificationCode}. Needs ${needs}${from} by ${n.decisionDeadline}.${decided} Decide at ${link}\`${n.approveCommand}\`.`;
    }
    case 'request.minted': {
      const by = n.approvedBy.length ? ` Approved by ${n.approvedBy.map(printable).join(', ')}.` : '';
      return `${who} received credentials for ${role} (request ${n.requestId}).${by}`;
    }
    case 'request.denied':
      return `${who}'s request for ${role} was denied${n.deniedBy ? ` by ${printable(n.deniedBy)}` : ''} (request ${n.requestId}).`;
    case 'request.expired':
      return `${who}'s request for ${role} expired before enough approvers decided (request ${n.requestId}).${decided}`;
    default:
      return `${who}'s request for ${role} ended ${n.type.slice('request.'.length)}${n.error ? ` (${printable(n.error.code)})` : ''} (request ${n.requestId}).`;
  }
}
