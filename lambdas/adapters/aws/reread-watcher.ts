/**
 * The API Lambda's long-poll: nothing can tell a Lambda that a request changed (the workflow writes it from
 * other functions), so it reads the request again — the store's consistent GetItem — after a short backoff,
 * 100 ms doubling to 1 s, until the wait is over. `STS_MAX_WAIT_SECONDS` caps the wait (docs/deploy.md).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type Clock, type RequestWatch, type RequestWatcher, systemClock } from '../../core/ports.js';

/** Sleeps `ms`, resolving early (never rejecting) when `signal` aborts. */
export type Sleeper = (ms: number, signal?: AbortSignal) => Promise<void>;

const realSleep: Sleeper = (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined);

/** How {@link RereadWatcher} paces its reads. */
export interface RereadOptions {
  /** The longest wait served (seconds; 0 turns waiting off). */
  maxWaitSeconds: number;
  /** First pause between reads (default 100 ms); each further pause doubles, up to `maxDelayMs`. */
  firstDelayMs?: number;
  /** Longest pause between reads (default 1000 ms). */
  maxDelayMs?: number;
  clock?: Clock;
  sleep?: Sleeper;
}

/** A watcher that says "read again" after each backoff step, until the deadline. */
export class RereadWatcher implements RequestWatcher {
  readonly maxWaitSeconds: number;
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly clock: Clock;
  private readonly sleep: Sleeper;

  constructor(options: RereadOptions) {
    this.maxWaitSeconds = options.maxWaitSeconds;
    this.firstDelayMs = options.firstDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 1000;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
  }

  watch(_id: string, deadline: Date, signal?: AbortSignal): RequestWatch {
    let pause = this.firstDelayMs;
    return {
      next: async () => {
        const left = deadline.getTime() - this.clock.now().getTime();
        if (signal?.aborted || left <= 0) return false;
        // The last pause ends at the deadline: the answer is then read at the end of the wait.
        await this.sleep(Math.min(pause, left), signal);
        pause = Math.min(pause * 2, this.maxDelayMs);
        return !signal?.aborted;
      },
      close: () => {},
    };
  }
}
