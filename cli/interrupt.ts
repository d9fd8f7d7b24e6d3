/**
 * Ctrl-C while a command waits: SIGINT (or the test seam's signal) aborts an AbortSignal with an
 * InterruptedError, which cancels HTTP calls and sleeps. Listening only while the command runs.
 */
import { InterruptedError } from './errors.js';

/** An AbortSignal aborted on Ctrl-C; `close()` stops listening. */
export interface Interrupt {
  readonly signal: AbortSignal;
  close(): void;
}

/** Listens for SIGINT, or for `injected` aborting (tests), until closed. */
export function listenForInterrupt(injected?: AbortSignal): Interrupt {
  const controller = new AbortController();
  const abort = () => controller.abort(new InterruptedError());
  if (injected) {
    if (injected.aborted) abort();
    else injected.addEventListener('abort', abort, { once: true });
    return { signal: controller.signal, close: () => injected.removeEventListener('abort', abort) };
  }
  process.on('SIGINT', abort);
  return { signal: controller.signal, close: () => process.off('SIGINT', abort) };
}

/** Sleeps `ms`, rejecting with InterruptedError when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new InterruptedError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
