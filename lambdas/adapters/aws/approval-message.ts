/**
 * How a notification reads on the approvals topic (issue 10): a Subject, per-protocol bodies for
 * `MessageStructure: 'json'`, and the message attributes subscriptions filter on. Pure (no SDK call), so the
 * limits SNS sets are unit-tested. Every body is built from the Notification only, which never holds a TOTP
 * code, a task token, a credential or the requester's public key.
 */
import { printable } from '../../core/audit-message.js';
import { type Notification, type NotificationType, notificationText } from '../../core/notification.js';
import { chatbotNotification } from './chatbot-notification.js';

/** What SnsNotifier publishes. */
export interface ApprovalMessage {
  /** The SNS Subject: printable ASCII, at most {@link MAX_SUBJECT_LENGTH} characters, no line break. */
  subject: string;
  /** `{"default": <JSON event>, "email": <text>, "https": <Chatbot custom notification>}` as JSON text. */
  message: string;
  /** `approvers` (String.Array of `issuer/account`, for filter policies) and `event_type` (String). */
  attributes: Record<string, { DataType: 'String' | 'String.Array'; StringValue: string }>;
}

/** SNS refuses longer subjects. */
export const MAX_SUBJECT_LENGTH = 100;
/** SNS's limit for one publish: the message and its attributes together, in bytes. */
export const MAX_PUBLISH_BYTES = 262_144;

/** A message too large for SNS (it cannot happen with the broker's own limits; refused before sending). */
export class NotificationTooLargeError extends Error {
  constructor(bytes: number) {
    super(`The notification is ${bytes} bytes, more than the ${MAX_PUBLISH_BYTES} SNS accepts.`);
    this.name = 'NotificationTooLargeError';
  }
}

/**
 * Who a notification is for, as `issuer/account`: the eligible approvers, then the requester (who is told
 * that the request waits and how it ended), each once. A subscription's filter policy on one name gets every
 * notification that names it (docs/notifications.md).
 */
export function recipients(n: Pick<Notification, 'issuer' | 'approvers' | 'requester'>): string[] {
  return [...new Set([...n.approvers, n.requester])].map((name) => `${n.issuer}/${name}`);
}

const headings: Record<NotificationType, string> = {
  'request.awaiting_approval': 'Approval needed',
  'request.minted': 'Approved',
  'request.denied': 'Denied',
  'request.expired': 'Expired',
  'request.rejected': 'Rejected',
  'request.failed': 'Failed',
};

/** The role as a short name: the last part of an ARN (the body has it in full). */
function shortRole(role: string): string {
  return role.startsWith('arn:') ? role.slice(role.lastIndexOf('/') + 1) || role : role;
}

/**
 * `STSFTW approval needed: alice asks for admin`, or `STSFTW denied: alice, admin`: names made ASCII
 * (anything else becomes `?`) and the whole cut to 100 characters, since SNS refuses any other Subject.
 */
export function approvalSubject(n: Notification): string {
  const heading = headings[n.type] ?? 'Request ended';
  const about =
    n.type === 'request.awaiting_approval'
      ? `${n.requester} asks for ${shortRole(n.role)}`
      : `${n.requester}, ${shortRole(n.role)}`;
  const subject = `STSFTW ${heading.toLowerCase()}: ${about}`.replace(/[^\x20-\x7e]/g, '?');
  return subject.length <= MAX_SUBJECT_LENGTH ? subject : `${subject.slice(0, MAX_SUBJECT_LENGTH - 3)}...`;
}

function list(names: readonly string[]): string | undefined {
  return names.length ? names.join(', ') : undefined;
}

/** The e-mail text: the paragraph every channel gets, then one `Label: value` line per field it has. */
export function approvalEmail(n: Notification): string {
  const waiting = n.type === 'request.awaiting_approval';
  const fields: [string, unknown][] = [
    ['Request ID', n.requestId],
    ['Issuer', n.issuer],
    ['Requester', n.requester],
    ['AWS Role', n.role],
    ['Reason', n.reason],
    ['Duration', `${n.durationSeconds} seconds`],
    ['Verification Code', n.verificationCode],
    ['Decision Deadline', waiting ? n.decisionDeadline : undefined],
    ['Approvers', list(n.approvers)],
    ['Approvals', `${n.approvedBy.length} of ${n.approvalsRequired}`],
    ['Approved By', list(n.approvedBy)],
    ['Denied By', n.deniedBy],
    ['Error', n.error && `${n.error.code} (${n.error.message})`],
    ['Decide At', waiting ? n.approveUrl : undefined],
    ['Decide With', waiting ? n.approveCommand : undefined],
    ['Time', n.at],
  ];
  const lines = fields
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([label, value]) => `${label}: ${printable(value)}`);
  return [notificationText(n), '', ...lines, ''].join('\n');
}

/** The bytes SNS counts for a publish: the message plus each attribute's name, type and value. */
export function publishBytes(message: ApprovalMessage): number {
  let bytes = Buffer.byteLength(message.message);
  for (const [name, { DataType, StringValue }] of Object.entries(message.attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(DataType) + Buffer.byteLength(StringValue);
  }
  return bytes;
}

/**
 * Subject, bodies and attributes for `n`. `default` (the JSON event) reaches every protocol without a body
 * of its own: SQS, Lambda, email-json, and HTTP. `email` is text for people, `https` the Chatbot shape.
 * @throws NotificationTooLargeError if SNS would refuse the size.
 */
export function approvalMessage(n: Notification): ApprovalMessage {
  const subject = approvalSubject(n);
  const built: ApprovalMessage = {
    subject,
    message: JSON.stringify({
      default: JSON.stringify(n),
      email: approvalEmail(n),
      https: chatbotNotification(n, subject),
    }),
    attributes: {
      approvers: { DataType: 'String.Array', StringValue: JSON.stringify(recipients(n)) },
      event_type: { DataType: 'String', StringValue: n.type },
    },
  };
  const bytes = publishBytes(built);
  if (bytes > MAX_PUBLISH_BYTES) throw new NotificationTooLargeError(bytes);
  return built;
}
