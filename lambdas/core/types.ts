/** Domain types shared by core, adapters, the API and the CLI. No AWS types here. */

export const requestStatuses = [
  'VERIFYING',
  'AWAITING_APPROVAL',
  'APPROVED',
  'MINTED',
  'DENIED',
  'EXPIRED',
  'REJECTED',
  'FAILED',
] as const;
export type RequestStatus = (typeof requestStatuses)[number];
export const terminalStatuses: readonly RequestStatus[] = ['MINTED', 'DENIED', 'EXPIRED', 'REJECTED', 'FAILED'];
export function isTerminal(status: RequestStatus): boolean {
  return terminalStatuses.includes(status);
}
/** Statuses only a live execution moves on from. */
export const inFlightStatuses: readonly RequestStatus[] = requestStatuses.filter((status) => !isTerminal(status));

/**
 * How many distinct approvers requests for `role` need, and optionally who they may be (otherwise the
 * entry's `secondaryAuthorization`). `role` is one of the entry's roles as the entry names it, or `*`.
 * [approval_rules] a list of maps `{role, approvals, approvers?}`.
 */
export interface ApprovalRule {
  role: string;
  approvals: number;
  approvers?: string[];
}

/** One approval counted toward a request's quorum. [approvals] a list of maps `{account_name, approved_at}`. */
export interface Approval {
  accountName: string;
  approvedAt: string; // ISO 8601
}

/** One enrolled account (auth table item; DynamoDB names in brackets). */
export interface AuthEntry {
  issuer: string; // [issuer] partition key
  accountName: string; // [account_name] sort key
  roles: string[]; // [roles] role names or full role ARNs
  secondaryAuthorization: string[]; // [secondary_authorization] account names, same issuer
  /** [approval_rules] per-role quorums (approval-rules.ts); absent on 1.0 entries and entries without rules. */
  approvalRules?: ApprovalRule[];
  /** [totp_secret] the otpauth URL, encrypted by a SecretCipher (base64). Absent or empty: can never authenticate. */
  totpSecret?: string;
  lastStep?: number; // [last_step] last accepted TOTP time step
  failedAttempts?: number; // [failed_attempts]
  lockedUntil?: string; // [locked_until] ISO 8601
  createdAt: string; // [created_at] ISO 8601
  updatedAt: string; // [updated_at] ISO 8601
}

/** HPKE output (DESIGN.md §4), both fields base64url. */
export interface Sealed {
  enc: string;
  ciphertext: string;
}

/** What a caller sees of an error stored on a request. */
export interface RequestErrorInfo {
  code: string;
  message: string;
}

/** One credential request (requests table item; DynamoDB names in brackets). */
export interface RequestRecord {
  id: string; // [id] partition key, "r_" + 26 chars of Crockford base32 (130 random bits)
  status: RequestStatus; // [status]
  issuer: string; // [issuer]
  accountName: string; // [account_name]
  role: string; // [role] as the requester named it
  secondaryAccountName?: string; // [secondary_account_name] the one approver asked for
  durationSeconds: number; // [duration_seconds]
  publicKey: string; // [public_key] base64url raw X25519
  reason?: string; // [reason]
  taskToken?: string; // [task_token] never returned by the API
  approvedBy?: string; // [approved_by] the latest approver (older clients read only this)
  /** [approvals_required] distinct approvals the request needs, fixed when the requester is verified. */
  approvalsRequired?: number;
  /** [approvals] (+ [approver_names], a list of the same names for the once-per-approver condition), in order. */
  approvals?: Approval[];
  deniedBy?: string; // [denied_by]
  denialReason?: string; // [denial_reason]
  sealedCredentials?: Sealed; // [sealed_credentials] JSON string of Sealed
  expiration?: string; // [expiration] ISO 8601, of the minted credentials
  error?: RequestErrorInfo; // [error_code], [error_message]
  createdAt: string; // [created_at] ISO 8601
  decisionDeadline: string; // [decision_deadline] ISO 8601
  expiresAt: number; // [expires_at] epoch seconds (DynamoDB TTL); readers filter on it too
}

/** Short-lived AWS credentials: the sealed plaintext is exactly this JSON. */
export interface Credentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string; // ISO 8601
}

/** The execution input the API starts the state machine with. */
export interface ExecutionInput {
  requestId: string;
  totpCode: string;
  /** Single-shot only: the approver's account and code. */
  secondaryAccountName?: string;
  secondaryTotpCode?: string;
  /** `Await Approval` reads its TimeoutSecondsPath from here. */
  approvalTimeoutSeconds: number;
  /** Present only for requests that must never wait for an approver (see {@link ExecutionMode}). */
  mode?: ExecutionMode;
}

/**
 * `single-shot-only`: the request is decided in the one call that made it (STSFTW 1.0's `POST /`, whose
 * caller holds the credentials' key only for that call). `Verify Requester` refuses it instead of going
 * to `Await Approval`.
 */
export type ExecutionMode = 'single-shot-only';

/** One audit event (SNS message body, JSON; embedded: one line of the audit log). */
export interface AuditEvent {
  type:
    | 'request.approved'
    | 'request.minted'
    | 'request.denied'
    | 'request.expired'
    | 'request.rejected'
    | 'request.failed'
    | 'account.locked';
  at: string; // ISO 8601
  issuer: string;
  accountName: string;
  requestId?: string;
  /** The role as the request named it. */
  role?: string;
  /** The role ARN actually assumed (`request.minted` only). */
  roleArn?: string;
  /** Every approver so far, in order (`[]`: the role needed none). */
  approvedBy?: string[];
  /** `request.approved`: approvals counted so far, and how many the request needs. */
  approvalCount?: number;
  approvalsRequired?: number;
  deniedBy?: string;
  reason?: string;
  error?: RequestErrorInfo;
  expiration?: string;
}
