/** Who may decide a request (DESIGN.md §6 "Approver rules"), shared by the API and the workflow. */
import { NotAnApproverError, SelfApprovalError } from './errors.js';
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
