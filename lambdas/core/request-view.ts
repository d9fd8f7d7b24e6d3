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
  createdAt: string;
  decisionDeadline: string;
  approvedBy: string | null;
  deniedBy: string | null;
  /** The approver's reason, when the request was denied with one. */
  denialReason: string | null;
  verificationCode: string;
  error: RequestErrorInfo | null;
  /** Only once MINTED. */
  credentials?: { sealed: Sealed; expiration: string };
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
    createdAt: record.createdAt,
    decisionDeadline: record.decisionDeadline,
    approvedBy: record.approvedBy ?? null,
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
