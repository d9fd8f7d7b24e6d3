/**
 * The embedded broker's long-poll: the API and the workflow share one process and one DynamoDB client, so
 * a write of a request can wake its waiters directly. `watchRequestWrites` hooks the client (every write
 * reaches the table through it: the request store, the state machine's `dynamodb:updateItem`, recovery),
 * `RequestChanges` keeps the waiters. Nothing re-reads dynalite on a timer: a waiter reads once per write.
 */
import { DeleteItemCommand, type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { type Clock, type RequestWatch, type RequestWatcher, systemClock } from '../../core/ports.js';
import { MAX_WAIT_SECONDS } from '../../core/request-wait.js';

interface Waiter {
  /** A write happened since the waiter last looked. */
  changed: boolean;
  wake?: () => void;
}

/** Waiters per request id, woken by `changed(id)`. */
export class RequestChanges implements RequestWatcher {
  readonly maxWaitSeconds = MAX_WAIT_SECONDS;
  private readonly waiters = new Map<string, Set<Waiter>>();

  /** @param clock the broker's clock, which the deadlines come from. */
  constructor(private readonly clock: Clock = systemClock) {}

  /** How many waits are open (tests and the bench: a client that hung up must not leave one behind). */
  waiting(): number {
    let count = 0;
    for (const set of this.waiters.values()) count += set.size;
    return count;
  }

  /** Request `id` was written: every waiter on it reads it again. */
  changed(id: string): void {
    for (const waiter of this.waiters.get(id) ?? []) {
      waiter.changed = true;
      waiter.wake?.();
    }
  }

  watch(id: string, deadline: Date, signal?: AbortSignal): RequestWatch {
    const waiter: Waiter = { changed: false };
    let set = this.waiters.get(id);
    if (!set) {
      set = new Set();
      this.waiters.set(id, set);
    }
    set.add(waiter);
    let timer: NodeJS.Timeout | undefined;
    let over = false;
    const end = () => {
      over = true;
      waiter.wake?.();
    };
    const close = () => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', end);
      const open = this.waiters.get(id);
      open?.delete(waiter);
      if (open?.size === 0) this.waiters.delete(id);
      end();
    };
    if (signal?.aborted) over = true;
    else {
      signal?.addEventListener('abort', end, { once: true });
      timer = setTimeout(end, Math.max(0, deadline.getTime() - this.clock.now().getTime()));
    }
    return {
      next: () => {
        // A write that came with the deadline still gets its read: the answer is then current.
        if (waiter.changed || over) return Promise.resolve(take(waiter));
        return new Promise<boolean>((resolve) => {
          waiter.wake = () => {
            waiter.wake = undefined;
            resolve(take(waiter));
          };
        });
      },
      close,
    };
  }
}

function take(waiter: Waiter): boolean {
  const changed = waiter.changed;
  waiter.changed = false;
  return changed;
}

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

/** The `id` key of a write's input: an attribute value (`{S: 'r_…'}`), or a plain string if ever given one. */
function keyId(input: { Key?: { id?: unknown }; Item?: { id?: unknown } }): string | undefined {
  const id = input.Key?.id ?? input.Item?.id;
  if (typeof id === 'string') return id;
  const s = (id as { S?: unknown } | undefined)?.S;
  return typeof s === 'string' ? s : undefined;
}

/**
 * Calls `onWrite(id)` after every successful PutItem, UpdateItem or DeleteItem on `tableName` through
 * `client` (a failed conditional write changed nothing and wakes nobody). Call it before the client's first
 * write: the broker's clients cache each command's resolved middleware (`cacheMiddleware`,
 * `documents.ts`), so a command sent before the hook was added would keep running without it.
 */
export function watchRequestWrites(client: DynamoDBClient, tableName: string, onWrite: (id: string) => void): void {
  // The client's cache of resolved commands (smithy's `Client.handlers`, filled by a first send): a write
  // command already in it would never pass through the hook, so refuse loudly rather than never wake anyone.
  const cached = (client as unknown as { handlers?: WeakMap<object, unknown> }).handlers;
  if ([PutItemCommand, UpdateItemCommand, DeleteItemCommand].some((command) => cached?.has(command))) {
    throw new Error('watchRequestWrites must be called before the DynamoDB client sends its first write.');
  }
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { TableName?: unknown; Key?: { id?: unknown }; Item?: { id?: unknown } };
      if (WRITES.has(context.commandName ?? '') && input.TableName === tableName) {
        const id = keyId(input);
        if (id !== undefined) onWrite(id);
      }
      return result;
    },
    { step: 'initialize', name: 'stsftwRequestWrites' },
  );
}
