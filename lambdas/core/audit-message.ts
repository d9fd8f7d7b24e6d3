/**
 * How an audit event reads once SNS delivers it: a Subject per event type (`request.minted` keeps STSFTW
 * 1.0's `Credentials Minted For Account`) and per-protocol messages for `MessageStructure: 'json'`:
 * `default` is the JSON event, which every protocol without its own entry gets (SQS, Lambda, HTTPS,
 * email-json), and `email` a text for people. Used by the mint and outcome tasks (whose output the state
 * machine publishes) and by SnsAudit (lockouts). Both texts show only fields of the event, which never
 * holds a secret; the task outputs that carry them land in the execution history.
 */
import type { AuditEvent } from './types.js';

/** What `Publish Audit`, `Publish Outcome Audit` and SnsAudit send. */
export interface AuditMessage {
  /** The event type, for the `event_type` message attribute (subscription filters). */
  type: AuditEvent['type'];
  /** The SNS Subject (e-mail subject line): printable ASCII, under 100 characters. */
  subject: string;
  /** The SNS Message for `MessageStructure: 'json'`: `{"default": <JSON event>, "email": <text>}`. */
  message: string;
}

type EventType = AuditEvent['type'];

const subjects: Record<EventType, string> = {
  'request.approved': 'Credentials Request Approval Counted',
  'request.minted': 'Credentials Minted For Account',
  'request.denied': 'Credentials Request Denied',
  'request.expired': 'Credentials Request Expired',
  'request.rejected': 'Credentials Request Rejected',
  'request.failed': 'Credentials Request Failed',
  'account.locked': 'Account Locked After Failed Codes',
};
const FALLBACK_SUBJECT = 'STSFTW Audit Event';

const headlines: Record<EventType, string> = {
  'request.approved': 'STSFTW counted an approval toward a request for STS credentials.',
  'request.minted': 'STSFTW has minted STS credentials for an account.',
  'request.denied': 'STSFTW: the approver denied a request for STS credentials; none were issued.',
  'request.expired': 'STSFTW: a request for STS credentials expired before anyone decided; none were issued.',
  'request.rejected':
    'STSFTW refused a request for STS credentials (a code or a rule did not allow it); none were issued.',
  'request.failed': 'STSFTW could not issue the STS credentials of a request; none were released.',
  'account.locked': 'STSFTW locked an account after repeated failed TOTP codes.',
};

function known(type: unknown): type is EventType {
  return typeof type === 'string' && Object.hasOwn(subjects, type);
}

/**
 * `value` with C0, DEL and C1 control characters replaced by `?`: names and reasons come from user input,
 * and must not forge lines in an e-mail or move a terminal's cursor.
 */
export function printable(value: unknown): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** The SNS Subject for an event: fixed per type, so it never carries user input and SNS always accepts it. */
export function auditSubject(event: Pick<AuditEvent, 'type'>): string {
  return known(event.type) ? subjects[event.type] : FALLBACK_SUBJECT;
}

/** `bob, carol`; a mint without approvers says why there were none. */
function approvedByText(event: AuditEvent): string | undefined {
  if (!Array.isArray(event.approvedBy)) return undefined;
  if (event.approvedBy.length > 0) return event.approvedBy.join(', ');
  return event.type === 'request.minted' ? 'none (the role needs no approval)' : undefined;
}

/** The `Label: value` lines of the fields an event has, in a fixed order. */
function fieldLines(event: AuditEvent): string[] {
  const lines: [string, unknown][] = [
    ['Issuer', event.issuer],
    ['Account Name', event.accountName],
    ['AWS Role', event.role],
    ['Role ARN', event.roleArn],
    ['Approved By', approvedByText(event)],
    [
      'Approvals',
      event.approvalCount !== undefined && event.approvalsRequired !== undefined
        ? `${event.approvalCount} of ${event.approvalsRequired}`
        : undefined,
    ],
    ['Denied By', event.deniedBy],
    // A denial's reason is the approver's; a mint's is the requester's; a lockout's says why.
    [event.type === 'request.denied' ? 'Denial Reason' : 'Reason', event.reason],
    ['Error', event.error && `${event.error.code} (${event.error.message})`],
    ['Expires', event.expiration],
    ['Request ID', event.requestId],
    ['Time', event.at],
  ];
  return lines
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([label, value]) => `${label}: ${printable(value)}`);
}

/** The e-mail text for an event: a sentence saying what happened, then one line per field. */
export function auditEmail(event: AuditEvent): string {
  const headline = known(event.type) ? headlines[event.type] : `STSFTW audit event ${printable(event.type)}.`;
  return [headline, '', ...fieldLines(event), ''].join('\n');
}

/** Subject and per-protocol message (`MessageStructure: 'json'`) for an event. */
export function auditMessage(event: AuditEvent): AuditMessage {
  return {
    type: event.type,
    subject: auditSubject(event),
    message: JSON.stringify({ default: JSON.stringify(event), email: auditEmail(event) }),
  };
}
