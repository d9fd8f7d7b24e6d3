/** Who may decide a request (DESIGN.md §6 "Approver rules"), shared by the API and the workflow. */
import { InvalidRequestError, NotAnApproverError, SelfApprovalError } from './errors.js';
import type { AuthEntry, RequestRecord } from './types.js';

/**
 * Checks that the already **authenticated** `approver` may approve or deny `request`: not the requester,
 * listed in the requester's current `secondaryAuthorization`, and the named one if the request named one.
 * @param requester the requester's entry as it is now (undefined if it was removed: nobody may decide).
 * @throws SelfApprovalError or NotAnApproverError.
 */
export function assertMayDecide(
  request: Pick<RequestRecord, 'accountName' | 'secondaryAccountName'>,
  requester: Pick<AuthEntry, 'secondaryAuthorization'> | undefined,
  approver: string,
): void {
  if (approver === request.accountName) throw new SelfApprovalError();
  if (!requester?.secondaryAuthorization?.includes(approver)) throw new NotAnApproverError();
  if (request.secondaryAccountName && request.secondaryAccountName !== approver) {
    throw new NotAnApproverError('This request names another account as its approver.');
  }
}

/** The fields of a request that carry a second person's code and name (absent, null or empty: not given). */
export interface SecondFactor {
  secondaryAccountName?: string | null;
  secondaryTotpCode?: string | null;
}

/**
 * The rule "a second code needs the approver's name": without a name the code would have to be tried against
 * every authorizer (spending their codes). True when the code came without the name. Edges that speak other
 * field names (STSFTW 1.0's `POST /`, the CLI's flags) say so in their own words; the rest call
 * {@link assertApproverNamed}.
 */
export function codeWithoutApprover(input: SecondFactor): boolean {
  return Boolean(input.secondaryTotpCode) && !input.secondaryAccountName;
}

/** @throws InvalidRequestError when {@link codeWithoutApprover}. */
export function assertApproverNamed(input: SecondFactor): void {
  if (codeWithoutApprover(input)) throw new InvalidRequestError('secondaryTotpCode needs secondaryAccountName.');
}
