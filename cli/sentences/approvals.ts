/**
 * What the CLI says about a request's approvals (issue 9: a role may need N distinct approvers): the
 * requester's progress lines, the approver's answer, `sts status`'s rows, and `sts get`'s refusal to wait
 * for a quorum. A broker from before quorums sends no `approvalsRequired`: such a request needs at most one
 * approval, and everything here then says what the CLI said before.
 */
import type { DecisionResult, RequestView } from '../client.js';
import { CliError } from '../errors.js';
import type { PendingRequest } from '../pending-requests.js';
import { clockTime } from '../time-format.js';
import { exitCodeForProblem } from './problems.js';

type Approvals = Pick<RequestView, 'approvalsRequired' | 'approvals'>;

/** The distinct approvals `view` needs (0 when its broker does not say). */
export function approvalsRequired(view: Approvals): number {
  return view.approvalsRequired ?? 0;
}

/** Who has approved so far, in order. */
export function approverNames(view: Approvals): string[] {
  return (view.approvals ?? []).map((approval) => approval.accountName);
}

/** True when the request waits for two or more approvers: the only case with counts worth showing. */
export function isQuorum(view: Approvals): boolean {
  return approvalsRequired(view) >= 2;
}

/** `1 of 2`. */
export function approvalCount(view: Approvals): string {
  return `${approverNames(view).length} of ${approvalsRequired(view)}`;
}

/** `1 of 2 (bob)`: the count and who. */
export function approvalsSoFar(view: Approvals): string {
  const names = approverNames(view);
  return `${approvalCount(view)}${names.length > 0 ? ` (${names.join(', ')})` : ''}`;
}

/** The requester's line each time the count grows: `approvals: 1 of 2 (bob)`. */
export function approvalsLine(view: Approvals): string {
  return `approvals: ${approvalsSoFar(view)}`;
}

/** `n approvals` / `1 approval`. */
function approvals(n: number): string {
  return `${n} approval${n === 1 ? '' : 's'}`;
}

/**
 * The approver's answer: whether theirs completed the quorum or how many are still needed. `view` is the
 * request as it was shown before deciding. A broker that answers only `{id, status}` completed it unless the
 * request still waits (`AWAITING_APPROVAL`); a status read back after an uncertain retry may be past APPROVED.
 */
export function approvalResult(result: DecisionResult, view: RequestView): string {
  const remaining = result.approvalsRemaining ?? 0;
  if (result.status === 'AWAITING_APPROVAL' && remaining <= 0) {
    return `Your approval of ${result.id} is counted; the request waits for more approvals.`;
  }
  // What the request needs: as the broker showed it, else what its answer implies (ours counted, `remaining` to go).
  const required = approvalsRequired(view) || approverNames(view).length + 1 + remaining;
  if (remaining > 0) {
    const counted = required - remaining;
    return `Your approval of ${result.id} is counted (${counted} of ${required}); ${remaining} more ${remaining === 1 ? 'approval is' : 'approvals are'} needed.`;
  }
  if (required >= 2) {
    return `Approved ${result.id}: the quorum is complete (${required} of ${required}), ${view.accountName}'s credentials are being minted.`;
  }
  return `Approved ${result.id}: ${view.accountName}'s credentials are being minted.`;
}

/** `sts status`'s rows: `approvals  k of N`, then one row per approval (who, when). */
export function approvalRows(view: RequestView): [string, string][] {
  if (approvalsRequired(view) === 0 && approverNames(view).length === 0) return [];
  return [
    ['approvals', approvalCount(view)],
    ...(view.approvals ?? []).map(({ accountName, approvedAt }): [string, string] => [
      '',
      `${accountName} at ${approvedAt} (${clockTime(approvedAt)} local)`,
    ]),
  ];
}

/**
 * `sts get` / `sts exec` / credential_process made a request whose role needs two or more approvals: they do
 * not wait for a quorum. The request stays open (and its key here), so nothing is lost.
 */
export function quorumNotForGet(pending: PendingRequest, view: RequestView): CliError {
  const required = approvalsRequired(view);
  return new CliError(
    `Role ${pending.role} needs ${approvals(required)} (${approvalCount(view)} so far), and \`sts get\` and \`sts exec\` do not wait for more than one: ask for it with \`sts request\`, which does. Nothing is lost: request ${pending.id} stays open until ${clockTime(pending.decisionDeadline)}, and \`sts wait ${pending.id}\` picks up its credentials once the other approvers run \`${anyApproverCommand(pending.approveCommand)}\`. (approvals_required)`,
    exitCodeForProblem('approvals_required'),
  );
}

/** `sts approve` by an approver the view already counts, short of the quorum: said before a code is spent. */
export function alreadyCounted(view: RequestView, accountName: string): CliError {
  return new CliError(
    `Your approval of ${view.id} as ${accountName} is already counted (${approvalCount(view)}). Nothing to do: the request waits for the other approvers (\`sts status ${view.id}\` shows who has approved so far). (already_approved)`,
    exitCodeForProblem('already_approved'),
  );
}

/**
 * `command` for any of a quorum's approvers: with two or more approvals needed, the named approver is only one
 * of them (and may already have approved with the request), so the line ends with `--account-name <you>`.
 */
export function anyApproverCommand(command: string): string {
  return command.replace(/ --account-name .*$/s, ' --account-name <you>');
}
