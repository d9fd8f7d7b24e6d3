/**
 * The one poll loop behind `waitForCredentials` and `awaitVerification`: the spinner, the long-poll (the
 * broker answers when the status changes) or, against a broker without it, the backoff that resets on each
 * status change, riding out a busy or briefly absent broker, the ended sentence, Ctrl-C.
 */
import type { BrokerClient, RequestView } from '../client.js';
import { ApiError, type CliError, InterruptedError, NetworkError } from '../errors.js';
import { deletePending, type PendingRequest } from '../pending-requests.js';
import { backoffMs, isBusy } from '../retry.js';
import { describeError } from '../sentences/describe.js';
import { brokerGoneMidWait, stoppedWaiting } from '../sentences/request.js';
import { endedError, isEnded, progressText } from '../sentences/statuses.js';
import { startSpinner } from '../spinner.js';
import type { FlowIo } from './io.js';

/** Polling starts fast (credentials usually follow approval within a second) and slows to this cap. */
export const POLL_START_MS = 250;
export const POLL_MAX_MS = 1000;
const POLL_FACTOR = 1.5;
/** Seconds each long-poll asks the broker to wait for a change (the API's maximum). */
export const LONG_POLL_SECONDS = 20;
/** Consecutive failures of the broker itself (timeouts, refused, problem+json 5xx) tolerated while polling. */
const MAX_TRANSIENT_FAILURES = 5;

/** What one poll loop looks for. */
export interface PollGoal<T> {
  /** The answer once `view` settles it, else undefined (keep polling); may throw. */
  settle(view: RequestView, say: (text: string) => void): Promise<T | undefined> | T | undefined;
  /** How long (ms, our own clock) to keep polling, given the last view (none yet when the broker is busy). */
  patience(view: RequestView | undefined, started: number): number;
  /** The sentence when patience runs out on a request that answered. */
  tooLong(view: RequestView): CliError;
}

/** The wait to ask for (whole seconds, 1 to LONG_POLL_SECONDS) when `patienceLeftMs` of patience remain. */
function waitFor(patienceLeftMs: number): number {
  return Math.max(1, Math.min(LONG_POLL_SECONDS, Math.ceil(patienceLeftMs / 1000)));
}

/** What a long-poll waits on moved: the status, or the count of approvals. */
function changed(before: RequestView, after: RequestView): boolean {
  return after.status !== before.status || after.approvals?.length !== before.approvals?.length;
}

/** The broker (not what stands in front of it) failed in a way that may pass: retried a few times. */
function isTransient(e: unknown): boolean {
  if (e instanceof NetworkError) return e.reason !== 'not_broker';
  return e instanceof ApiError && e.status >= 500;
}

/**
 * Polls request `pending.id` until `goal` settles it: once its status is known, by long-polls (`?wait=20&
 * status=<that status>&approvals=<their count>`), which the broker answers when either changes; a broker that does not say it
 * waited (no `Sts-Wait`, or 0: from before long-polls, or configured not to wait) is polled instead, every
 * 250 ms rising to 1 s. A request that ended without credentials deletes its key file and throws the ended
 * sentence; Ctrl-C (which aborts the call in flight) and a broker gone for good say how to resume.
 */
export async function pollRequest<T>(
  client: BrokerClient,
  io: FlowIo,
  pending: PendingRequest,
  goal: PollGoal<T>,
): Promise<T> {
  const started = io.now();
  let view: RequestView | undefined;
  let interval = POLL_START_MS;
  let failures = 0;
  let busy = 0;
  /** Until the broker shows it does not wait. */
  let longPoll = true;
  /** The next call may follow at once: the last one was a long-poll that really waited, or the first read. */
  let waited = false;
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
        waited = false;
        if (view && longPoll) {
          const asked = view;
          const seconds = waitFor(goal.patience(view, started) - (io.now() - started));
          const callStarted = io.now();
          // A broker with quorums sends `approvals`: a newly counted one then answers too (the progress line).
          const watched = await client.watchRequest(pending.id, asked.status, seconds, asked.approvals?.length);
          next = watched.view;
          if (!watched.waitSeconds) longPoll = false;
          // Unchanged and well before the wait: something between us answers early; do not spin on it.
          else waited = changed(asked, next) || io.now() - callStarted >= (watched.waitSeconds * 1000) / 2;
        } else {
          next = await client.getRequest(pending.id);
          // The first read only learns the status to wait on: the long-poll may follow at once.
          waited = longPoll;
        }
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
      if (isEnded(view.status)) {
        deletePending(io.env, pending.id, view.status);
        throw endedError({ ...view, status: view.status });
      }
      const answer = await goal.settle(view, say);
      if (answer !== undefined) return answer;
      if (io.now() - started > goal.patience(view, started)) throw goal.tooLong(view);
      if (waited) continue;
      await io.sleep(interval);
      interval = Math.min(POLL_MAX_MS, Math.round(interval * POLL_FACTOR));
    }
  } catch (e) {
    spinner?.stop();
    if (e instanceof InterruptedError || (e instanceof Error && e.name === 'AbortError')) throw stoppedWaiting(pending);
    // The broker went away, or stayed busy, mid-wait: the request (and our key) may well survive it.
    if (isBusy(e) || isTransient(e)) throw brokerGoneMidWait(describeError(e, io.env), pending);
    throw e;
  } finally {
    spinner?.stop();
  }
}
