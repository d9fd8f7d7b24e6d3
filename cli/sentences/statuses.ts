/**
 * What the CLI says about a request in each status (core's `RequestStatus`), and with which exit code: to
 * the requester while waiting and once it ended, to the approver who cannot decide it, and to `sts wait`
 * on a machine that already finished it (or never made it).
 */
import { isTerminal } from '../../lambdas/core/types.js';
import type { RequestStatus, RequestView } from '../client.js';
import { CliError, ExitCode } from '../errors.js';
import type { FinishedRequest, PendingRequest } from '../pending-requests.js';
import { clockTime, duration } from '../time-format.js';
import { anyApproverCommand, approvalsRequired, approverNames, isQuorum } from './approvals.js';
import { exitCodeForProblem, problemHints, requesterHint } from './problems.js';

/** A status in which a request ended without credentials. */
export type EndedStatus = Extract<RequestStatus, 'DENIED' | 'EXPIRED' | 'REJECTED' | 'FAILED'>;

/** The exit code of a request that ended without credentials. */
export const endedExitCodes: Record<EndedStatus, number> = {
  DENIED: ExitCode.denied,
  EXPIRED: ExitCode.expired,
  REJECTED: ExitCode.rejected,
  FAILED: ExitCode.failed,
};

/** True for the statuses in which a request ended without credentials: core's terminal ones but MINTED. */
export function isEnded(status: RequestStatus): status is EndedStatus {
  return isTerminal(status) && status !== 'MINTED';
}

/** The requester's progress line while waiting (the spinner's text). */
export function progressText(view: RequestView | undefined, pending: PendingRequest, elapsed: number, busy: boolean) {
  const spent = duration(elapsed);
  const suffix = busy ? ' (the broker is busy: retrying)' : '';
  switch (view?.status) {
    case 'AWAITING_APPROVAL': {
      const what = isQuorum(view)
        ? `${approvalsRequired(view)} approvals of ${pending.id} (${approverNames(view).length} so far; code ${pending.verificationCode})`
        : `approval of ${pending.id} (code ${pending.verificationCode})`;
      return `Waiting for ${what} — ${spent} elapsed, deadline ${clockTime(pending.decisionDeadline)}${suffix}`;
    }
    case 'APPROVED': {
      const by = isQuorum(view) ? approverNames(view).join(', ') : view.approvedBy;
      return `Approved${by ? ` by ${by}` : ''}: minting credentials — ${spent}${suffix}`;
    }
    default:
      return `Checking your code for ${pending.id} — ${spent}${suffix}`;
  }
}

/**
 * AWAITING_APPROVAL: the lines telling the requester what the approver must do (`view`: the request as it
 * waits, which says how many approvers it needs).
 */
export function announcement(pending: PendingRequest, view: RequestView, now: number): string {
  const left = Date.parse(pending.decisionDeadline) - now;
  const quorum = isQuorum(view);
  return [
    `Request ${pending.id} for role ${pending.role} needs ${quorum ? `${approvalsRequired(view)} approvals` : 'approval'}.`,
    `  verification code   ${pending.verificationCode}  (${quorum ? 'each approver' : 'the approver'} must see the same code)`,
    `  ${quorum ? 'each approver runs ' : 'approver runs      '} ${quorum ? anyApproverCommand(pending.approveCommand) : pending.approveCommand}`,
    ...(pending.approveUrl ? [`  ${'or opens'.padEnd(19)} ${pending.approveUrl}`] : []),
    `  decision deadline   ${clockTime(pending.decisionDeadline)} (in ${duration(left)})`,
    '',
  ].join('\n');
}

/** The requester's sentence and exit code for a request that ended without credentials. */
export function endedError(view: RequestView & { status: EndedStatus }): CliError {
  const { id } = view;
  const code = view.error?.code;
  const message = view.error?.message?.replace(/\.?$/, '.') ?? '';
  const exitCode = endedExitCodes[view.status];
  switch (view.status) {
    case 'DENIED':
      return new CliError(
        `Request ${id} was denied${view.deniedBy ? ` by ${view.deniedBy}` : ''}${view.denialReason ? ` (${JSON.stringify(view.denialReason)})` : ''}. Talk to your approver; make a new request with \`sts request\` if they agree.`,
        exitCode,
      );
    case 'EXPIRED':
      return new CliError(
        `Request ${id} expired: nobody decided before ${clockTime(view.decisionDeadline)}. Make a new request with \`sts request\` and send the approver its \`sts approve\` command.`,
        exitCode,
      );
    case 'REJECTED':
      return new CliError(
        `Request ${id} was rejected: ${message || 'a rule refused it.'} ${(code && (requesterHint(code, view.secondaryAccountName) ?? problemHints[code])) || ''} (${code ?? 'unknown'})`.replace(
          /\s+\(/,
          ' (',
        ),
        exitCode,
      );
    default:
      if (code === 'broker_restarted') {
        return new CliError(
          `Request ${id} failed: the broker restarted while it was open (broker_restarted). Make a new request with \`sts request\`.`,
          exitCode,
        );
      }
      return new CliError(
        `Request ${id} failed on the broker: ${message || 'no detail.'} Make a new request; if it keeps failing, check the broker's logs (${code ?? 'unknown'}).`,
        exitCode,
      );
  }
}

/** The approver's sentence for a request that does not (or no longer) wait for a decision. */
export function notDecidable(view: RequestView): CliError {
  switch (view.status) {
    case 'EXPIRED':
      return new CliError(
        `Request ${view.id} expired before anyone decided: ${view.accountName} must make a new request.`,
        exitCodeForProblem('expired'),
      );
    case 'VERIFYING':
      return new CliError(
        `Request ${view.id} is still checking ${view.accountName}'s code: try again in a moment.`,
        ExitCode.tempFail,
      );
    case 'REJECTED':
    case 'FAILED':
      return new CliError(
        `Request ${view.id} ended ${view.status}${view.error ? ` (${view.error.code})` : ''}: nothing to decide; ${view.accountName} must make a new request.`,
        exitCodeForProblem('already_decided'),
      );
    default: {
      const by = view.approvedBy ? ` by ${view.approvedBy}` : view.deniedBy ? ` by ${view.deniedBy}` : '';
      return new CliError(
        `Request ${view.id} was already decided (${view.status}${by}): nothing to do. See \`sts status ${view.id}\`.`,
        exitCodeForProblem('already_decided'),
      );
    }
  }
}

/** `sts wait` for a request this machine already finished: delivered (MINTED) or ended, with that exit code. */
export function alreadyFinished({ id, status, at }: FinishedRequest): CliError {
  if (status === 'MINTED') {
    return new CliError(
      `The credentials of ${id} were already delivered on this machine (at ${clockTime(at)}): they are handed out once, and the request's key was deleted then. For new credentials run \`sts request\`.`,
    );
  }
  return new CliError(
    `Request ${id} already ended on this machine: ${status} at ${clockTime(at)}. See \`sts status ${id}\`; make a new request with \`sts request\`.`,
    Object.hasOwn(endedExitCodes, status) ? endedExitCodes[status as EndedStatus] : ExitCode.failure,
  );
}

/** `sts wait` on a machine without the request's key. */
export function noKeyHere(id: string): CliError {
  return new CliError(
    `No key for ${id} on this machine: run \`sts wait\` where \`sts request\` ran (same user), or see the request with \`sts status ${id}\`.`,
  );
}
