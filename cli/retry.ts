/**
 * When what answers is busy rather than wrong: API Gateway's 429 throttling (the stage's rate limit is
 * shared by every polling CLI) and 5xx answers without a problem body (a Lambda failure or timeout, a load
 * balancer while the broker restarts). Such answers are retried after a backoff with jitter, or after what
 * `Retry-After` asked for. A problem+json 5xx is the broker's own answer and is not retried here.
 */
import { NetworkError } from './errors.js';
import { gaveUp } from './sentences/network.js';

/** The first backoff step; each further attempt doubles it up to BACKOFF_MAX_MS. */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 10_000;
/** Tries of one approve / deny / create call before giving up with a sentence. */
export const CALL_ATTEMPTS = 4;

/** True for an answer that says "busy, try again later" (429, or 5xx without a problem body). */
export function isBusy(e: unknown): e is NetworkError {
  return e instanceof NetworkError && (e.reason === 'throttled' || e.reason === 'unavailable');
}

/**
 * The wait before retry number `attempt` (1-based): the answer's `Retry-After` when it gave one (already
 * capped by the client), else half the exponential step; plus a random share of the other half, so that
 * CLIs throttled together do not come back together.
 */
export function backoffMs(attempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const step = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round((retryAfterMs ?? step / 2) + random() * (step / 2));
}

/** How `withRetries` retries. */
export interface RetryOptions {
  sleep(ms: number): Promise<void>;
  /** Which failures are worth another try (default: `isBusy`). */
  retryOn?: (e: NetworkError) => boolean;
  attempts?: number;
  /** Called before each retry with the failure that caused it. */
  onRetry?: (e: NetworkError) => void;
}

/** Runs `call`, retrying busy answers a bounded number of times; then the `gaveUp` sentence. */
export async function withRetries<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = options.attempts ?? CALL_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (!isBusy(e) || !(options.retryOn?.(e) ?? true)) throw e;
      if (attempt >= attempts) throw gaveUp(e, attempts);
      options.onRetry?.(e);
      await options.sleep(backoffMs(attempt, e.retryAfterMs));
    }
  }
}
