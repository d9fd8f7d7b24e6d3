/** Announcing progress on the audit sink without letting it decide anything. */
import { approvedEvent } from './audit-event.js';
import type { Notification } from './notification.js';
import type { AuditSink, Notifier } from './ports.js';
import type { RequestRecord } from './types.js';

/** One structured log line (JSON), for what must be seen but must not fail the call. */
export type WarnLog = (line: Record<string, unknown>) => void;

export const defaultLog: WarnLog = (line) => console.error(JSON.stringify(line));

/**
 * Publishes `request.approved` for `record` (its approvals so far). Best-effort: the mint and outcome events,
 * which list every approval, are the fail-closed audit; a failure here is logged (no secret in it).
 */
export async function announceApproval(
  audit: AuditSink,
  record: RequestRecord,
  at: Date,
  log: WarnLog = defaultLog,
): Promise<void> {
  try {
    await audit.publish(approvedEvent(record, at));
  } catch (e) {
    log({
      level: 'warn',
      msg: 'audit publish failed',
      type: 'request.approved',
      requestId: record.id,
      error: (e as Error).name,
    });
  }
}

/** Sends `notification` if there is a notifier; a failure (after the adapter's retries) is logged, never thrown. */
export async function notifyBestEffort(
  notifier: Notifier | undefined,
  notification: () => Promise<Notification>,
  log: WarnLog = defaultLog,
): Promise<void> {
  if (!notifier) return;
  let built: Notification | undefined;
  try {
    built = await notification();
    await notifier.notify(built);
  } catch (e) {
    log({
      level: 'warn',
      msg: 'notification failed',
      type: built?.type ?? null,
      requestId: built?.requestId ?? null,
      error: (e as Error).name,
    });
  }
}
