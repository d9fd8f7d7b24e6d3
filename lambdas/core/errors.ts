/**
 * Domain errors. Each has a stable `code` (DESIGN.md §4), an HTTP `status` and a CLI `exitCode`.
 * `name` is what Step Functions catches by, so it is set explicitly (bundles use `keepNames`).
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly exitCode: number;
  constructor(code: string, status: number, exitCode: number, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.exitCode = exitCode;
  }
  /** The `{code, message}` shape stored on a request and returned as its `error`. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/**
 * The HTTP status and CLI exit code of every domain error code: the one table the error classes, the API's
 * answers and the CLI read (nobody instantiates an error just to learn them).
 */
export const errorCodes = {
  invalid_request: { status: 400, exitCode: 2 },
  invalid_credentials: { status: 401, exitCode: 3 },
  not_an_approver: { status: 403, exitCode: 4 },
  self_approval: { status: 403, exitCode: 4 },
  role_not_permitted: { status: 403, exitCode: 4 },
  not_found: { status: 404, exitCode: 5 },
  already_decided: { status: 409, exitCode: 6 },
  already_approved: { status: 409, exitCode: 6 },
  approvals_required: { status: 403, exitCode: 4 },
  expired: { status: 410, exitCode: 7 },
  locked_out: { status: 429, exitCode: 8 },
  internal: { status: 500, exitCode: 1 },
  conflict: { status: 409, exitCode: 6 },
  sts_failed: { status: 502, exitCode: 1 },
} as const satisfies Record<string, { status: number; exitCode: number }>;

/** A code of {@link errorCodes}. */
export type ErrorCode = keyof typeof errorCodes;

/** Status and exit code of `code`, or undefined for a code that is not a domain error's. */
export function errorSpec(code: string): { status: number; exitCode: number } | undefined {
  return Object.hasOwn(errorCodes, code) ? errorCodes[code as ErrorCode] : undefined;
}

/** A domain error: its status and exit code come from {@link errorCodes}. */
abstract class DomainError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(code, errorCodes[code].status, errorCodes[code].exitCode, message);
  }
}

export class InvalidRequestError extends DomainError {
  constructor(message = 'The request is not valid.') {
    super('invalid_request', message);
    this.name = 'InvalidRequestError';
  }
}

/** Unknown account, missing secret and wrong code all look exactly like this. */
export class InvalidCredentialsError extends DomainError {
  constructor(message = 'The account name or TOTP code is not valid.') {
    super('invalid_credentials', message);
    this.name = 'InvalidCredentialsError';
  }
}

export class NotAnApproverError extends DomainError {
  constructor(message = 'This account may not approve this request.') {
    super('not_an_approver', message);
    this.name = 'NotAnApproverError';
  }
}

export class SelfApprovalError extends DomainError {
  constructor(message = 'A request cannot be approved or denied by the account that made it.') {
    super('self_approval', message);
    this.name = 'SelfApprovalError';
  }
}

export class RoleNotPermittedError extends DomainError {
  constructor(message = 'This account may not assume that role.') {
    super('role_not_permitted', message);
    this.name = 'RoleNotPermittedError';
  }
}

export class NotFoundError extends DomainError {
  constructor(message = 'No such request.') {
    super('not_found', message);
    this.name = 'NotFoundError';
  }
}

export class AlreadyDecidedError extends DomainError {
  constructor(message = 'This request has already been decided.') {
    super('already_decided', message);
    this.name = 'AlreadyDecidedError';
  }
}

/** This approver's approval is already counted toward the request's quorum (not a TOTP failure). */
export class AlreadyApprovedError extends DomainError {
  constructor(message = 'Your approval of this request is already counted; it is waiting for the other approvers.') {
    super('already_approved', message);
    this.name = 'AlreadyApprovedError';
  }
}

/** The role needs more approvals than a call that cannot wait can carry (`sts get`, STSFTW 1.0's `POST /`). */
export class ApprovalsRequiredError extends DomainError {
  constructor(message = 'This role needs two or more approvals: ask for it with `sts request`, which waits for them.') {
    super('approvals_required', message);
    this.name = 'ApprovalsRequiredError';
  }
}

export class ExpiredError extends DomainError {
  constructor(message = 'This request has expired.') {
    super('expired', message);
    this.name = 'ExpiredError';
  }
}

export class LockedOutError extends DomainError {
  constructor(message = 'Too many failed attempts: the account is locked for 15 minutes.') {
    super('locked_out', message);
    this.name = 'LockedOutError';
  }
}

export class InternalError extends DomainError {
  constructor(message = 'Internal error.') {
    super('internal', message);
    this.name = 'InternalError';
  }
}

/**
 * A conditional write lost (item exists / status moved on). Adapters throw it; core translates it
 * into the domain error that fits (already_decided, an existing enrollment…). Never reaches a user as is.
 */
export class ConflictError extends DomainError {
  constructor(message = 'The item changed concurrently.') {
    super('conflict', message);
    this.name = 'ConflictError';
  }
}

/** Every domain error by `code`, for tests and for rebuilding an error from a stored `{code, message}`. */
export const errorClasses = {
  invalid_request: InvalidRequestError,
  invalid_credentials: InvalidCredentialsError,
  not_an_approver: NotAnApproverError,
  self_approval: SelfApprovalError,
  role_not_permitted: RoleNotPermittedError,
  not_found: NotFoundError,
  already_decided: AlreadyDecidedError,
  already_approved: AlreadyApprovedError,
  approvals_required: ApprovalsRequiredError,
  expired: ExpiredError,
  locked_out: LockedOutError,
  internal: InternalError,
} as const;

/** Error names the state machine catches as "refused by a rule" (→ REJECTED). */
export const rejectionErrorNames = [
  'InvalidRequestError',
  'InvalidCredentialsError',
  'NotAnApproverError',
  'SelfApprovalError',
  'RoleNotPermittedError',
  'LockedOutError',
  'ApprovalsRequiredError',
] as const;

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/**
 * STS refused or failed to mint (thrown by the mint task so the workflow's failure branch can tell it from
 * other failures). Not an API error: it only ever reaches users as a FAILED request's `error`.
 */
export class StsFailedError extends DomainError {
  constructor(message = 'STS could not mint the credentials; no credentials were released.') {
    super('sts_failed', message);
    this.name = 'StsFailedError';
  }
}
