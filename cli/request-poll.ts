/**
 * Polling one request: until its credentials open (`waitForCredentials`), or until the requester's code has
 * been checked (`awaitVerification`, for `--no-wait`). One loop for both: the spinner, the backoff that
 * resets on each status change, riding out a busy or briefly absent broker, Ctrl-C.
 */
import type { BrokerClient, RequestView } from './client.js';
import type { CachedCredentials as Credentials } from './credential-cache.js';
import {
  ApiError,
  CliError,
  describeError,
  ExitCode,
  InterruptedError,
  NetworkError,
  problemHints,
  requesterHint,
} from './errors.js';
import { deletePending, type PendingRequest } from './pending-requests.js';
import type { FlowIo } from './request-flow.js';
import { backoffMs, isBusy } from './retry.js';
import { startSpinner } from './spinner.js';
import { clockTime, duration } from './time-format.js';

/** Polling starts fast (credentials usually follow approval within a second) and slows to this cap. */
export const POLL_START_MS = 250;
export const POLL_MAX_MS = 1000;
const POLL_FACTOR = 1.5;
/** How long past its decision deadline a request may stay unsettled before we stop waiting. */
const SETTLE_GRACE_MS = 5 * 60_000;
/** How long `--no-wait` waits for the requester's code to be checked (a Lambda cold start, at worst). */
export const VERIFY_PATIENCE_MS = 30_000;
/** Consecutive failures of the broker itself (timeouts, refused, problem+json 5xx) tolerated while polling. */
const MAX_TRANSIENT_FAILURES = 5;
const ENDED = ['DENIED', 'EXPIRED', 'REJECTED', 'FAILED'];

/** The lines telling the requester what the approver must do. */
export function announcement(pending: PendingRequest, now: number): string {
  const left = Date.parse(pending.decisionDeadline) - now;
  return [
    `Request ${pending.id} for role ${pending.role} needs approval.`,
    `  verification code   ${pending.verificationCode}  (the approver must see the same code)`,
    `  approver runs       ${pending.approveCommand}`,
    `  decision deadline   ${clockTime(pending.decisionDeadline)} (in ${duration(left)})`,
    '',
  ].join('\n');
}

/** The sentence and exit code for a request that ended without credentials. */
export function endedError(view: RequestView): CliError {
  const { id } = view;
  const code = view.error?.code;
  const message = view.error?.message?.replace(/\.?$/, '.') ?? '';
  switch (view.status) {
    case 'DENIED':
      return new CliError(
        `Request ${id} was denied${view.deniedBy ? ` by ${view.deniedBy}` : ''}${view.denialReason ? ` (${JSON.stringify(view.denialReason)})` : ''}. Talk to your approver; make a new request with \`sts request\` if they agree.`,
        ExitCode.denied,
      );
    case 'EXPIRED':
      return new CliError(
        `Request ${id} expired: nobody decided before ${clockTime(view.decisionDeadline)}. Make a new request with \`sts request\` and send the approver its \`sts approve\` command.`,
        ExitCode.expired,
      );
    case 'REJECTED':
      return new CliError(
        `Request ${id} was rejected: ${message || 'a rule refused it.'} ${(code && (requesterHint(code, view.secondaryAccountName) ?? problemHints[code])) || ''} (${code ?? 'unknown'})`.replace(
          /\s+\(/,
          ' (',
        ),
        ExitCode.rejected,
      );
    default:
      if (code === 'broker_restarted') {
        return new CliError(
          `Request ${id} failed: the broker restarted while it was open (broker_restarted). Make a new request with \`sts request\`.`,
          ExitCode.failed,
        );
      }
      return new CliError(
        `Request ${id} failed on the broker: ${message || 'no detail.'} Make a new request; if it keeps failing, check the broker's logs (${code ?? 'unknown'}).`,
        ExitCode.failed,
      );
  }
}

/** The broker (not what stands in front of it) failed in a way that may pass: retried a few times. */
function isTransient(e: unknown): boolean {
  if (e instanceof NetworkError) return e.reason !== 'not_broker';
  return e instanceof ApiError && e.status >= 500;
}

async function openCredentials(pending: PendingRequest, view: RequestView): Promise<Credentials> {
  if (!view.credentials) {
    throw new CliError(
      `Request ${pending.id} was minted but its credentials are no longer available: make a new request.`,
      ExitCode.failure,
    );
  }
  const { open } = await import('../lambdas/core/sealing.js');
  let credentials: Credentials;
  try {
    credentials = JSON.parse(await open(pending.privateKey, view.credentials.sealed, pending.id));
  } catch {
    throw new CliError(
      `The credentials of ${pending.id} do not open with the key saved on this machine: make a new request from here.`,
      ExitCode.failure,
    );
  }
  for (const field of ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration'] as const) {
    if (typeof credentials[field] !== 'string') {
      throw new CliError(
        `The credentials of ${pending.id} are incomplete (no ${field}): make a new request.`,
        ExitCode.failure,
      );
    }
  }
  return credentials;
}

function progressText(view: RequestView | undefined, pending: PendingRequest, elapsed: number, busy: boolean): string {
  const spent = duration(elapsed);
  const suffix = busy ? ' (the broker is busy: retrying)' : '';
  switch (view?.status) {
    case 'AWAITING_APPROVAL':
      return `Waiting for approval of ${pending.id} (code ${pending.verificationCode}) — ${spent} elapsed, deadline ${clockTime(pending.decisionDeadline)}${suffix}`;
    case 'APPROVED':
      return `Approved${view.approvedBy ? ` by ${view.approvedBy}` : ''}: minting credentials — ${spent}${suffix}`;
    default:
      return `Checking your code for ${pending.id} — ${spent}${suffix}`;
  }
}

/** What one poll loop looks for. */
interface PollGoal<T> {
  /** The answer once `view` settles it, else undefined (keep polling); may throw the ended sentence. */
  settle(view: RequestView, say: (text: string) => void): Promise<T | undefined> | T | undefined;
  /** How long (ms, our own clock) to keep polling, given the last view (none yet when the broker is busy). */
  patience(view: RequestView | undefined, started: number): number;
  /** The sentence when patience runs out on a request that answered. */
  tooLong(view: RequestView): CliError;
}

async function pollRequest<T>(client: BrokerClient, io: FlowIo, pending: PendingRequest, goal: PollGoal<T>) {
  const started = io.now();
  let view: RequestView | undefined;
  let interval = POLL_START_MS;
  let failures = 0;
  let busy = 0;
  const spin = () =>
    io.spinnerStream
      ? startSpinner(io.spinnerStream, () => progressText(view, pending, io.now() - started, busy > 0))
      : undefined;
  let spinner = spin();
  const say = (text: string) => {
    spinner?.stop();
    io.info(text);
    spinner = spin();
  };
  try {
    for (;;) {
      let next: RequestView;
      try {
        next = await client.getRequest(pending.id);
        failures = 0;
        busy = 0;
      } catch (e) {
        if (isBusy(e)) {
          // Throttled or failing in front of the broker: keep waiting, as long as the request may still settle.
          if (io.now() - started > goal.patience(view, started)) throw e;
          await io.sleep(backoffMs(++busy, e.retryAfterMs));
          continue;
        }
        if (!isTransient(e) || ++failures > MAX_TRANSIENT_FAILURES) throw e;
        await io.sleep(POLL_MAX_MS);
        continue;
      }
      if (next.status !== view?.status) interval = POLL_START_MS; // a change: the next one usually follows fast
      view = next;
      if (ENDED.includes(view.status)) {
        deletePending(io.env, pending.id, view.status);
        throw endedError(view);
      }
      const answer = await goal.settle(view, say);
      if (answer !== undefined) return answer;
      if (io.now() - started > goal.patience(view, started)) throw goal.tooLong(view);
      await io.sleep(interval);
      interval = Math.min(POLL_MAX_MS, Math.round(interval * POLL_FACTOR));
    }
  } catch (e) {
    spinner?.stop();
    if (e instanceof InterruptedError || (e instanceof Error && e.name === 'AbortError')) {
      throw new CliError(
        `Stopped waiting; request ${pending.id} is still open. Resume with \`sts wait ${pending.id}\` before ${clockTime(pending.decisionDeadline)}.`,
        ExitCode.interrupted,
      );
    }
    if (isBusy(e) || isTransient(e)) {
      // The broker went away, or stayed busy, mid-wait: the request (and our key) may well survive it.
      const { message, exitCode } = describeError(e, io.env);
      throw new CliError(
        `${message.replace(/\.?$/, '.')} Request ${pending.id} may still be open: once the broker is back, resume with \`sts wait ${pending.id}\` before ${clockTime(pending.decisionDeadline)}.`,
        exitCode,
      );
    }
    throw e;
  } finally {
    spinner?.stop();
  }
}

/** The request's own lifetime plus a grace, measured on our clock from the broker's own times. */
function settlePatience(pending: PendingRequest) {
  return (view: RequestView | undefined, started: number) =>
    view
      ? Date.parse(view.decisionDeadline) - Date.parse(view.createdAt) + SETTLE_GRACE_MS
      : Date.parse(pending.decisionDeadline) - started + SETTLE_GRACE_MS;
}

/**
 * Polls request `pending.id` until its credentials open (then deletes the key file) or it ends
 * (deletes the key file, throws the ended sentence). On Ctrl-C the key file stays and the person is told
 * how to resume. `announce`: print the approval instructions when the request starts waiting for approval.
 */
export function waitForCredentials(
  client: BrokerClient,
  io: FlowIo,
  pending: PendingRequest,
  options: { announce: boolean },
): Promise<Credentials> {
  let announced = !options.announce;
  return pollRequest(client, io, pending, {
    async settle(view, say) {
      if (view.status === 'AWAITING_APPROVAL' && !announced) {
        announced = true;
        say(announcement(pending, io.now()));
      }
      if (view.status !== 'MINTED') return undefined;
      const credentials = await openCredentials(pending, view);
      deletePending(io.env, pending.id, view.status);
      return credentials;
    },
    patience: settlePatience(pending),
    tooLong: (view) =>
      new CliError(
        `Request ${pending.id} is still ${view.status} long after its deadline: check it later with \`sts status ${pending.id}\`, or the broker's logs.`,
        ExitCode.tempFail,
      ),
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
    tooLong: () =>
      new CliError(
        `Request ${pending.id} is still checking your code: see \`sts wait ${pending.id}\` (or \`sts status ${pending.id}\`) in a moment.`,
        ExitCode.tempFail,
      ),
  });
}
