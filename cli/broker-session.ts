/**
 * What a command that talks to the broker uses while it runs: Ctrl-C as an AbortSignal, sleep and clock
 * (or the test seams of the context), broker clients cancelled by Ctrl-C, and the request flow's view of the
 * command. Opened by `StsCommand.session()` on first use and closed when the command ends.
 */
import type { BrokerClient } from './client.js';
import type { StsContext } from './context.js';
import { type Interrupt, listenForInterrupt, sleep } from './interrupt.js';
import type { FlowIo } from './request-flow/io.js';

/** Ctrl-C, time and HTTP for one command run. */
export class BrokerSession {
  private interrupt?: Interrupt;

  constructor(private readonly context: StsContext) {}

  /** Aborted on Ctrl-C (or by the injected test signal). */
  get signal(): AbortSignal {
    this.interrupt ??= listenForInterrupt(this.context.signal);
    return this.interrupt.signal;
  }

  /** Current time in ms. */
  now(): number {
    return this.context.now?.() ?? Date.now();
  }

  /** Sleeps `ms`, rejecting with InterruptedError on Ctrl-C. */
  sleep(ms: number): Promise<void> {
    return this.context.sleep ? this.context.sleep(ms, this.signal) : sleep(ms, this.signal);
  }

  /** A broker client for `endpoint`, cancelled by Ctrl-C. */
  async client(endpoint: string): Promise<BrokerClient> {
    const { BrokerClient } = await import('./client.js');
    return new BrokerClient({ endpoint, signal: this.signal, fetch: this.context.fetch, now: this.context.now });
  }

  /** The request flow's view of the command; `info` shows a line to the person. */
  flowIo(info: (text: string) => void): FlowIo {
    const stderr = this.context.stderr as { isTTY?: boolean };
    return {
      env: this.context.env,
      info,
      sleep: (ms) => this.sleep(ms),
      now: () => this.now(),
      spinnerStream: stderr.isTTY === true ? this.context.stderr : undefined,
    };
  }

  /** Stops listening for Ctrl-C. */
  close(): void {
    this.interrupt?.close();
  }
}
