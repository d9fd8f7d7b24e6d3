/** What `GET /v1/requests/{id}` shows of a stored request. */
import { verificationCode } from './ids.js';
import type { RequestErrorInfo, RequestRecord, RequestStatus, Sealed } from './types.js';

/** `GET /v1/requests/{id}`: everything but the task token and the public key. */
export interface RequestView {
  id: string;
  status: RequestStatus;
  issuer: string;
  accountName: string;
  role: string;
  secondaryAccountName: string | null;
  reason: string | null;
  /** The session length asked for, in seconds. */
  durationSeconds: number;
  createdAt: string;
  decisionDeadline: string;
  /** The last approver (what clients before quorums read). */
  approvedBy: string | null;
  /** Distinct approvals the request needs (0 until the requester is verified, or when the role needs none). */
  approvalsRequired: number;
  /** The approvals counted so far, in order. */
  approvals: { accountName: string; approvedAt: string }[];
  deniedBy: string | null;
  /** The approver's reason, when the request was denied with one. */
  denialReason: string | null;
  verificationCode: string;
  error: RequestErrorInfo | null;
  /** Only once MINTED. */
  credentials?: { sealed: Sealed; expiration: string };
}

/**
 * `approvals_required` as stored; a request verified by a broker before quorums holds none: it needed one
 * approval if it waited for or got one.
 */
function requiredOf(record: RequestRecord): number {
  if (record.approvalsRequired !== undefined) return record.approvalsRequired;
  return record.approvedBy || record.taskToken || record.status === 'AWAITING_APPROVAL' ? 1 : 0;
}

/** The view of `record`: no task token, no public key; credentials only once MINTED. */
export function toView(record: RequestRecord): RequestView {
  const view: RequestView = {
    id: record.id,
    status: record.status,
    issuer: record.issuer,
    accountName: record.accountName,
    role: record.role,
    secondaryAccountName: record.secondaryAccountName ?? null,
    reason: record.reason ?? null,
    durationSeconds: record.durationSeconds,
    createdAt: record.createdAt,
    decisionDeadline: record.decisionDeadline,
    approvedBy: record.approvedBy ?? null,
    approvalsRequired: requiredOf(record),
    approvals: (record.approvals ?? []).map(({ accountName, approvedAt }) => ({ accountName, approvedAt })),
    deniedBy: record.deniedBy ?? null,
    denialReason: record.denialReason ?? null,
    verificationCode: verificationCode(record.id, record.publicKey),
    error: record.error ? { code: record.error.code, message: record.error.message } : null,
  };
  if (record.status === 'MINTED' && record.sealedCredentials && record.expiration) {
    view.credentials = { sealed: record.sealedCredentials, expiration: record.expiration };
  }
  return view;
}
