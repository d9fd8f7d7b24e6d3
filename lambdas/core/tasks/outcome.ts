/**
 * How a request ended, as `recordOutcome` stores it: the terminal status the state machine's Catch chose and
 * the Step Functions error it caught, mapped to the `{code, message}` a client reads.
 */
import { type AppError, ExpiredError, errorClasses, StsFailedError } from '../errors.js';
import type { RequestErrorInfo } from '../types.js';

/** Terminal statuses `recordOutcome` writes (MINTED is written by `Release Credentials`). */
export const outcomeStatuses = ['DENIED', 'EXPIRED', 'REJECTED', 'FAILED'] as const;
export type OutcomeStatus = (typeof outcomeStatuses)[number];

/** Error messages of a FAILED request whose cause is not a domain error. */
const FAILED_INTERNAL: RequestErrorInfo = {
  code: 'internal',
  message: 'Minting or auditing failed; no credentials were released.',
};
const FAILED_AUDIT: RequestErrorInfo = {
  code: 'audit_failed',
  message: 'The audit event could not be published; no credentials were released.',
};
const REJECTED_INTERNAL: RequestErrorInfo = { code: 'internal', message: 'The request could not be verified.' };

// Domain errors by the name Step Functions reports them under.
const errorsByName = new Map<string, () => AppError>(
  [...Object.values(errorClasses), StsFailedError].map((ErrorClass) => {
    const make = () => new ErrorClass();
    return [make().name, make];
  }),
);

/**
 * The `{code, message}` stored for an outcome. Only the error's *name* is used, with that class's own
 * default message: `Cause` may hold a stack trace or SDK text and is never copied.
 */
export function outcomeError(status: OutcomeStatus, error?: { Error?: string }): RequestErrorInfo | undefined {
  if (status === 'DENIED') return undefined;
  if (status === 'EXPIRED') return new ExpiredError().toJSON();
  const name = error?.Error ?? '';
  if (name === 'States.Timeout') return new ExpiredError().toJSON();
  const known = errorsByName.get(name);
  if (known) return known().toJSON();
  if (status === 'REJECTED') return REJECTED_INTERNAL;
  // Errors of the `sns:publish` integration are named `SNS.<Exception>`.
  if (name.startsWith('SNS.')) return FAILED_AUDIT;
  return FAILED_INTERNAL;
}
