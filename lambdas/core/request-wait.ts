/**
 * The long-poll of `GET /v1/requests/{id}?wait=S&status=X[&approvals=N]`, after Consul's blocking queries:
 * the request is answered at once when its status is not X (or its count of approvals not N), otherwise as
 * soon as it is, otherwise after S seconds with what it is then. The watcher (a port) says when to read again; every read is the store's consistent one.
 */
import type { Clock, RequestWatcher } from './ports.js';
import type { RequestRecord, RequestStatus } from './types.js';

/** The longest wait the API accepts (seconds): well inside API Gateway's 30 s integration limit. */
export const MAX_WAIT_SECONDS = 20;

/** What a waiting read asks for. */
export interface RequestWait {
  /** The status the client last saw: the answer comes once the request is no longer in it. */
  status: RequestStatus;
  /** How long to wait at most, in seconds (further capped by the watcher's `maxWaitSeconds`). */
  seconds: number;
  /** The count of approvals the client last saw, if given: a different count answers too (a quorum's progress). */
  approvals?: number;
  /** Aborts the wait (the client went away): the last read is returned at once. */
  signal?: AbortSignal;
}

/** The seconds a wait of `requested` actually lasts at most with `watcher` (0: answered at once). */
export function honouredWait(requested: number, watcher: RequestWatcher | undefined): number {
  return Math.max(0, Math.min(requested, MAX_WAIT_SECONDS, watcher?.maxWaitSeconds ?? 0));
}

/** The request is still as the client last saw it: the same status (and count of approvals, if asked). */
function unchanged(record: RequestRecord, wait: RequestWait): boolean {
  if (record.status !== wait.status) return false;
  return wait.approvals === undefined || (record.approvals?.length ?? 0) === wait.approvals;
}

/**
 * Reads request `id` with `load` and, while it is still as the client saw it (`unchanged`), reads it again each time
 * the watcher says it may have changed, until the wait is over. The watch starts before the first read,
 * so a write between that read and the wait cannot be missed. `load` throws NotFoundError as usual.
 */
export async function readWhenChanged(
  id: string,
  wait: RequestWait,
  deps: { load: (id: string) => Promise<RequestRecord>; watcher?: RequestWatcher; clock: Clock },
): Promise<RequestRecord> {
  const seconds = honouredWait(wait.seconds, deps.watcher);
  if (!deps.watcher || seconds === 0 || wait.signal?.aborted) return deps.load(id);
  const deadline = new Date(deps.clock.now().getTime() + seconds * 1000);
  const watch = deps.watcher.watch(id, deadline, wait.signal);
  try {
    let record = await deps.load(id);
    while (unchanged(record, wait) && (await watch.next())) record = await deps.load(id);
    return record;
  } finally {
    watch.close();
  }
}
