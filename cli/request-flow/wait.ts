/**
 * Waiting on a request made here: until its credentials open (`waitForCredentials`, then the key file goes),
 * or, for `--no-wait`, until the requester's code has been checked (`awaitVerification`).
 */
import type { BrokerClient, RequestView } from '../client.js';
import type { CachedCredentials as Credentials } from '../credential-cache.js';
import { deletePending, type PendingRequest } from '../pending-requests.js';
import { approvalsLine, approverNames, isQuorum, quorumNotForGet } from '../sentences/approvals.js';
import {
  credentialsDoNotOpen,
  credentialsGone,
  credentialsIncomplete,
  stillUnsettled,
  stillVerifying,
} from '../sentences/request.js';
import { announcement } from '../sentences/statuses.js';
import type { FlowIo } from './io.js';
import { pollRequest } from './poll.js';

/** How long past its decision deadline a request may stay unsettled before we stop waiting. */
const SETTLE_GRACE_MS = 5 * 60_000;
/** How long `--no-wait` waits for the requester's code to be checked (a Lambda cold start, at worst). */
export const VERIFY_PATIENCE_MS = 30_000;

async function openCredentials(pending: PendingRequest, view: RequestView): Promise<Credentials> {
  if (!view.credentials) throw credentialsGone(pending.id);
  const { open } = await import('../../lambdas/core/sealing.js');
  let credentials: Credentials;
  try {
    credentials = JSON.parse(await open(pending.privateKey, view.credentials.sealed, pending.id));
  } catch {
    throw credentialsDoNotOpen(pending.id);
  }
  for (const field of ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration'] as const) {
    if (typeof credentials[field] !== 'string') throw credentialsIncomplete(pending.id, field);
  }
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = credentials;
  // A broker before quorums lists no approvals: its one approver is `approvedBy`.
  const approvers = approverNames(view).length > 0 ? approverNames(view) : view.approvedBy ? [view.approvedBy] : [];
  return { AccessKeyId, SecretAccessKey, SessionToken, Expiration, origin: { requestId: pending.id, approvers } };
}

/** The request's own lifetime plus a grace, measured on our clock from the broker's own times. */
function settlePatience(pending: PendingRequest) {
  return (view: RequestView | undefined, started: number) =>
    view
      ? Date.parse(view.decisionDeadline) - Date.parse(view.createdAt) + SETTLE_GRACE_MS
      : Date.parse(pending.decisionDeadline) - started + SETTLE_GRACE_MS;
}

/** How `waitForCredentials` waits. */
export interface WaitOptions {
  /** Print the approval instructions when the request starts waiting for approval. */
  announce: boolean;
  /**
   * Stop (exit 4, `approvals_required`; the request and its key stay for `sts wait`) once the request turns
   * out to wait for two or more approvers: `get`, `exec` and credential_process never wait for a quorum.
   */
  refuseQuorum?: boolean;
}

/**
 * Polls request `pending.id` until its credentials open (then deletes the key file) or it ends
 * (deletes the key file, throws the ended sentence). On Ctrl-C the key file stays and the person is told
 * how to resume. A request that waits for a quorum gets a line each time its count of approvals grows.
 */
export function waitForCredentials(
  client: BrokerClient,
  io: FlowIo,
  pending: PendingRequest,
  options: WaitOptions,
): Promise<Credentials> {
  let announced = !options.announce;
  let counted = 0;
  return pollRequest(client, io, pending, {
    async settle(view, say) {
      if (options.refuseQuorum && view.status === 'AWAITING_APPROVAL' && isQuorum(view)) {
        throw quorumNotForGet(pending, view);
      }
      if (view.status === 'AWAITING_APPROVAL' && !announced) {
        announced = true;
        say(announcement(pending, view, io.now()));
      }
      if (isQuorum(view) && approverNames(view).length > counted) {
        counted = approverNames(view).length;
        say(approvalsLine(view));
      }
      if (view.status !== 'MINTED') return undefined;
      const credentials = await openCredentials(pending, view);
      deletePending(io.env, pending.id, view.status);
      return credentials;
    },
    patience: settlePatience(pending),
    tooLong: (view) => stillUnsettled(pending.id, view.status),
  });
}

/**
 * Polls request `pending.id` until the requester's code has been checked (it leaves VERIFYING); returns
 * that view. A refused code ends here with its sentence (exit 12) and the key file goes.
 */
export function awaitVerification(client: BrokerClient, io: FlowIo, pending: PendingRequest): Promise<RequestView> {
  return pollRequest(client, io, pending, {
    settle: (view) => (view.status === 'VERIFYING' ? undefined : view),
    patience: () => VERIFY_PATIENCE_MS,
    tooLong: () => stillVerifying(pending.id),
  });
}
