/**
 * The clipanion context `sts` commands run with. The extra fields are optional seams: production leaves
 * them unset (real terminal, real timers, SIGINT); tests inject scripted ones.
 */
import type { BaseContext } from 'clipanion';
import type { Terminal } from './terminal.js';

/** BaseContext plus the optional seams. */
export interface StsContext extends BaseContext {
  /** Prompts and confirmation (default: /dev/tty). */
  terminal?: Terminal;
  /** Waits between polls (default: setTimeout, cancelled by the signal). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Current time in ms (default: Date.now). */
  now?: () => number;
  /** Stands for Ctrl-C (default: SIGINT). */
  signal?: AbortSignal;
  /** HTTP (default: the global fetch). */
  fetch?: typeof fetch;
}
