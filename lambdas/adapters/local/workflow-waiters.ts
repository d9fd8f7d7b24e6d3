import { AlreadyDecidedError } from '../../core/errors.js';

interface Waiter {
  promise: Promise<unknown>;
  resolve(value: unknown): void;
  reject(reason: Error): void;
}

/**
 * The local stand-in for Step Functions' task tokens: a `.waitForTaskToken` state waits on the token's
 * promise until `succeed`/`fail` settles it. A token accepts one decision, and only while its state is
 * actually waiting; otherwise the caller gets AlreadyDecidedError, as SendTaskSuccess answers TaskTimedOut /
 * InvalidToken on AWS.
 */
export class TaskTokenWaiters {
  private readonly open = new Map<string, Waiter>();

  /** Starts (or, for a retried state, keeps) waiting on `token`; the promise settles on the decision. */
  wait(token: string): Promise<unknown> {
    let waiter = this.open.get(token);
    if (!waiter) {
      let resolve!: (value: unknown) => void;
      let reject!: (reason: Error) => void;
      const promise = new Promise<unknown>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // A token closed without a decision is simply dropped; nobody may be awaiting it any more.
      promise.catch(() => {});
      waiter = { promise, resolve, reject };
      this.open.set(token, waiter);
    }
    return waiter.promise;
  }

  /** SendTaskSuccess: the waiting state's result becomes `output`. */
  succeed(token: string, output: unknown): void {
    this.take(token).resolve(output);
  }

  /** SendTaskFailure: the waiting state fails with `error` (its `name` is what the state machine catches). */
  fail(token: string, error: Error): void {
    this.take(token).reject(error);
  }

  /** The state stopped waiting (timed out, failed, or the execution ended): later decisions are refused. */
  close(token: string): void {
    this.open.delete(token);
  }

  /** Ends a wait with `error` if one is open (used when aborting), then closes the token. */
  abandon(token: string, error: Error): void {
    this.open.get(token)?.reject(error);
    this.open.delete(token);
  }

  private take(token: string): Waiter {
    const waiter = this.open.get(token);
    if (!waiter) throw new AlreadyDecidedError();
    this.open.delete(token);
    return waiter;
  }
}
