/** Who may decide a request (DESIGN.md §6 "Approver rules"), shared by the API and the workflow. */
import type { Quorum } from './approval-rules.js';
import { InvalidRequestError, NotAnApproverError, SelfApprovalError } from './errors.js';
import type { RequestRecord } from './types.js';

/**
 * Checks that the already **authenticated** `approver` may approve or deny `request`: not the requester,
 * one of the eligible approvers of the requester's current rule for the role, and — when the role needs a
 * single approval and the request named one — the named one. (With a quorum of two or more, the named
 * approver is only whose code came with the request.)
 * @param quorum the requester's current quorum for the request's role (undefined if the entry was removed:
 *   nobody may decide).
 * @throws SelfApprovalError or NotAnApproverError.
 */
export function assertMayDecide(
  request: Pick<RequestRecord, 'accountName' | 'secondaryAccountName' | 'approvalsRequired'>,
  quorum: Pick<Quorum, 'required' | 'approvers'> | undefined,
  approver: string,
): void {
  if (approver === request.accountName) throw new SelfApprovalError();
  if (!quorum?.approvers.includes(approver)) throw new NotAnApproverError();
  const required = request.approvalsRequired ?? quorum.required;
  if (required <= 1 && request.secondaryAccountName && request.secondaryAccountName !== approver) {
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
