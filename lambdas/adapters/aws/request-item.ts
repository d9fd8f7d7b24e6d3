/** The requests table's item shape (DESIGN.md §3) and its mapping to and from core's RequestRecord. */
import { InternalError } from '../../core/errors.js';
import type { RequestChanges } from '../../core/ports.js';
import {
  type Approval,
  type RequestRecord,
  type RequestStatus,
  requestStatuses,
  type Sealed,
} from '../../core/types.js';
import { optionalNumber, optionalString } from './item-values.js';

/** A requests table item as the stores read and write it, in plain values (`documents.ts`) (snake_case attribute names, DESIGN.md §3). */
export type RequestItem = Record<string, unknown>;

/**
 * Record fields stored one-to-one, with their attribute names. `sealedCredentials` (a JSON string),
 * `error` (`error_code` + `error_message`) and `approvals` (`approvals` + `approver_names`) are mapped
 * separately.
 */
export const requestAttributeNames = {
  issuer: 'issuer',
  accountName: 'account_name',
  role: 'role',
  secondaryAccountName: 'secondary_account_name',
  durationSeconds: 'duration_seconds',
  publicKey: 'public_key',
  reason: 'reason',
  taskToken: 'task_token',
  approvedBy: 'approved_by',
  approvalsRequired: 'approvals_required',
  deniedBy: 'denied_by',
  denialReason: 'denial_reason',
  expiration: 'expiration',
  createdAt: 'created_at',
  decisionDeadline: 'decision_deadline',
  expiresAt: 'expires_at',
} as const satisfies Partial<Record<keyof RequestRecord, string>>;

type SimpleField = keyof typeof requestAttributeNames;

/**
 * Splits record changes into attributes to SET and attribute names to REMOVE (`null` values).
 * `undefined` values mean "leave as is" and are skipped.
 */
export function requestChangesToAttributes(changes: RequestChanges): { set: RequestItem; remove: string[] } {
  const set: RequestItem = {};
  const remove: string[] = [];
  for (const field of Object.keys(requestAttributeNames) as SimpleField[]) {
    const value = changes[field];
    if (value === null) remove.push(requestAttributeNames[field]);
    else if (value !== undefined) set[requestAttributeNames[field]] = value;
  }
  if (changes.sealedCredentials === null) remove.push('sealed_credentials');
  else if (changes.sealedCredentials !== undefined) {
    // A JSON string, exactly what the state machine's `Release Credentials` step writes from the mint result.
    set.sealed_credentials = JSON.stringify({
      enc: changes.sealedCredentials.enc,
      ciphertext: changes.sealedCredentials.ciphertext,
    });
  }
  if (changes.approvals === null) remove.push('approvals', 'approver_names');
  else if (changes.approvals !== undefined) {
    set.approvals = changes.approvals.map(approvalToItem);
    set.approver_names = changes.approvals.map((approval) => approval.accountName);
  }
  if (changes.error === null) remove.push('error_code', 'error_message');
  else if (changes.error !== undefined) {
    set.error_code = changes.error.code;
    set.error_message = changes.error.message;
  }
  return { set, remove };
}

export function approvalToItem(approval: Approval): RequestItem {
  return { account_name: approval.accountName, approved_at: approval.approvedAt };
}

/** Reads `approvals` leniently: entries without a name are skipped. */
function approvalsFromItem(value: unknown): Approval[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const accountName = optionalString(item?.account_name);
    return accountName === undefined ? [] : [{ accountName, approvedAt: optionalString(item.approved_at) ?? '' }];
  });
}

/** Maps a request record to its requests table item; unset optional fields are left out. */
export function requestToItem(record: RequestRecord): RequestItem {
  const { id, status, ...rest } = record;
  return { id, status, ...requestChangesToAttributes(rest).set };
}

function parseSealed(value: unknown): Sealed {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new InternalError('Stored sealed credentials are not valid JSON.');
    }
  }
  const { enc, ciphertext } = (parsed ?? {}) as Partial<Sealed>;
  if (typeof enc !== 'string' || typeof ciphertext !== 'string') {
    throw new InternalError('Stored sealed credentials are malformed.');
  }
  return { enc, ciphertext };
}

/** Maps a requests table item (ours, or written by the state machine's DynamoDB step) to a record. */
export function requestFromItem(item: RequestItem): RequestRecord {
  const status = item.status as RequestStatus;
  if (!requestStatuses.includes(status)) throw new InternalError('Stored request has an unknown status.');
  const record: RequestRecord = {
    id: optionalString(item.id) ?? '',
    status,
    issuer: optionalString(item.issuer) ?? '',
    accountName: optionalString(item.account_name) ?? '',
    role: optionalString(item.role) ?? '',
    durationSeconds: optionalNumber(item.duration_seconds) ?? 0,
    publicKey: optionalString(item.public_key) ?? '',
    createdAt: optionalString(item.created_at) ?? '',
    decisionDeadline: optionalString(item.decision_deadline) ?? '',
    expiresAt: optionalNumber(item.expires_at) ?? 0,
  };
  const optionalStrings = [
    'secondaryAccountName',
    'reason',
    'taskToken',
    'approvedBy',
    'deniedBy',
    'denialReason',
    'expiration',
  ] as const;
  for (const field of optionalStrings) {
    const value = optionalString(item[requestAttributeNames[field]]);
    if (value !== undefined) record[field] = value;
  }
  const approvalsRequired = optionalNumber(item.approvals_required);
  if (approvalsRequired !== undefined) record.approvalsRequired = approvalsRequired;
  const approvals = approvalsFromItem(item.approvals);
  if (approvals.length > 0) record.approvals = approvals;
  if (item.sealed_credentials !== undefined) record.sealedCredentials = parseSealed(item.sealed_credentials);
  const code = optionalString(item.error_code);
  if (code !== undefined) record.error = { code, message: optionalString(item.error_message) ?? '' };
  return record;
}
