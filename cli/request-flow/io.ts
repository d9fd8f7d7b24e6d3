/** What the request flow (`start`, `wait`, `obtain`) needs from the command running it. */
import type { Writable } from 'node:stream';

/** The command's streams, clock and sleep, as the flow sees them. */
export interface FlowIo {
  env: Record<string, string | undefined>;
  /** Shows a line to the person (stderr, or the terminal when stderr is captured). */
  info(text: string): void;
  /** Waits `ms`; rejects with InterruptedError on Ctrl-C. */
  sleep(ms: number): Promise<void>;
  now(): number;
  /** Set only when stderr is a terminal: the spinner draws there. */
  spinnerStream?: Writable;
}
