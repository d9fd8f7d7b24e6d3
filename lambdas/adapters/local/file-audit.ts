/**
 * The embedded broker's audit trail, standing in for the SNS topic: one JSON line per event in
 * `audit.log` (mode 0600; the event itself, i.e. what SNS's `default` subscribers get) and one readable
 * line on the server's console.
 */
import { appendFile } from 'node:fs/promises';
// Names come from enrollment input: keep terminal control sequences out of the console.
import { printable as clean } from '../../core/audit-message.js';
import type { AuditSink } from '../../core/ports.js';
import type { AuditEvent } from '../../core/types.js';

/** Where the human-readable line goes (default: stdout). */
export type ConsoleLine = (line: string) => void;

/** `audit: request.minted alice@example.com → Admin (approved by bob) r_…`. */
export function formatAuditLine(event: Partial<AuditEvent>): string {
  const parts = [`audit: ${clean(event.type ?? 'event')}`];
  if (event.accountName !== undefined) parts.push(clean(event.accountName));
  if (event.role !== undefined) parts.push(`→ ${clean(event.role)}`);
  const notes: string[] = [];
  // A mint without approvers carries approvedBy [] (its session tag says `none`).
  const approvers = Array.isArray(event.approvedBy) ? event.approvedBy : undefined;
  if (event.type === 'request.minted' && approvers?.length === 0) notes.push('no approval needed');
  else if (approvers?.length) notes.push(`approved by ${approvers.map(clean).join(', ')}`);
  if (event.approvalCount !== undefined && event.approvalsRequired !== undefined) {
    notes.push(`${event.approvalCount} of ${event.approvalsRequired}`);
  }
  if (event.deniedBy) notes.push(`denied by ${clean(event.deniedBy)}`);
  if (event.reason) notes.push(`reason: ${clean(event.reason)}`);
  if (event.error?.code) notes.push(clean(event.error.code));
  if (event.type === 'account.locked' && event.issuer) notes.push(`issuer ${clean(event.issuer)}`);
  if (notes.length > 0) parts.push(`(${notes.join(', ')})`);
  if (event.requestId) parts.push(clean(event.requestId));
  return parts.join(' ');
}

/** AuditSink writing JSON lines to `path`; `append` takes the state machine's SNS message bodies as they are. */
export class FileAudit implements AuditSink {
  // Writes are chained so lines land in the order events happened.
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly console: ConsoleLine = (line) => process.stdout.write(`${line}\n`),
  ) {}

  /** Records one event (lockouts, and anything core publishes directly). */
  publish(event: AuditEvent): Promise<void> {
    return this.write(event);
  }

  /** Records a message the state machine publishes: the `default` entry a JSON subscriber gets (an AuditEvent). */
  append(message: string): Promise<void> {
    let event: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(message);
      event = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as never) : { message };
    } catch {
      event = { message };
    }
    return this.write(event);
  }

  private write(event: object): Promise<void> {
    const line = `${JSON.stringify(event)}\n`;
    const done = this.tail.then(() => appendFile(this.path, line, { mode: 0o600 }));
    this.tail = done.catch(() => {});
    return done.then(() => {
      try {
        this.console(formatAuditLine(event as AuditEvent));
      } catch {
        // The line is recorded: a failing console must not fail the publish (the workflow would retry it,
        // writing the event again, then withhold the credentials).
      }
    });
  }
}
