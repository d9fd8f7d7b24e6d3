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

export class InvalidRequestError extends AppError {
  constructor(message = 'The request is not valid.') {
    super('invalid_request', 400, 2, message);
    this.name = 'InvalidRequestError';
  }
}

/** Unknown account, missing secret and wrong code all look exactly like this. */
export class InvalidCredentialsError extends AppError {
  constructor(message = 'The account name or TOTP code is not valid.') {
    super('invalid_credentials', 401, 3, message);
    this.name = 'InvalidCredentialsError';
  }
}

export class NotAnApproverError extends AppError {
  constructor(message = 'This account may not approve this request.') {
    super('not_an_approver', 403, 4, message);
    this.name = 'NotAnApproverError';
  }
}

export class SelfApprovalError extends AppError {
  constructor(message = 'A request cannot be approved or denied by the account that made it.') {
    super('self_approval', 403, 4, message);
    this.name = 'SelfApprovalError';
  }
}

export class RoleNotPermittedError extends AppError {
  constructor(message = 'This account may not assume that role.') {
    super('role_not_permitted', 403, 4, message);
    this.name = 'RoleNotPermittedError';
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'No such request.') {
    super('not_found', 404, 5, message);
    this.name = 'NotFoundError';
  }
}

export class AlreadyDecidedError extends AppError {
  constructor(message = 'This request has already been decided.') {
    super('already_decided', 409, 6, message);
    this.name = 'AlreadyDecidedError';
  }
}

export class ExpiredError extends AppError {
  constructor(message = 'This request has expired.') {
    super('expired', 410, 7, message);
    this.name = 'ExpiredError';
  }
}

export class LockedOutError extends AppError {
  constructor(message = 'Too many failed attempts: the account is locked for 15 minutes.') {
    super('locked_out', 429, 8, message);
    this.name = 'LockedOutError';
  }
}

export class InternalError extends AppError {
  constructor(message = 'Internal error.') {
    super('internal', 500, 1, message);
    this.name = 'InternalError';
  }
}

/**
 * A conditional write lost (item exists / status moved on). Adapters throw it; core translates it
 * into the domain error that fits (already_decided, an existing enrollment…). Never reaches a user as is.
 */
export class ConflictError extends AppError {
  constructor(message = 'The item changed concurrently.') {
    super('conflict', 409, 6, message);
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
] as const;

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/**
 * STS refused or failed to mint (thrown by the mint task so the workflow's failure branch can tell it from
 * other failures). Not an API error: it only ever reaches users as a FAILED request's `error`.
 */
export class StsFailedError extends AppError {
  constructor(message = 'STS could not mint the credentials; no credentials were released.') {
    super('sts_failed', 502, 1, message);
    this.name = 'StsFailedError';
  }
}
