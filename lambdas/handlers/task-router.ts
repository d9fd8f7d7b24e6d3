/**
 * The Lambda event format at the edge: a task function receives `{action, …payload}` from the state
 * machine and runs the task `action` names, with the payload read by `task-payloads.ts`. Each function
 * serves only its own actions; the embedded broker's local workflow routes all of them in one process.
 */
import { InvalidRequestError } from '../core/errors.js';
import type { MintTask } from '../core/tasks/mint.js';
import type { VerifyTasks } from '../core/tasks/verify.js';
import {
  type Payload,
  readAwaitApproval,
  readMint,
  readRecordOutcome,
  readVerifyApprover,
  readVerifyRequester,
} from './task-payloads.js';

/** The `action` values of the state machine's Lambda payloads. */
export const taskActions = [
  'verifyRequester',
  'verifyApprover',
  'awaitApproval',
  'mint',
  'recordOutcome',
  'notifyMinted',
] as const;
export type TaskAction = (typeof taskActions)[number];

/** What runs each action a function serves. */
export type TaskRoutes = Partial<Record<TaskAction, (payload: Payload) => Promise<unknown>>>;

/** A Lambda task handler: the payload in, the task's output (JSON) out. */
export type TaskHandler = (event: unknown) => Promise<unknown>;

/** The verify function's actions. */
export function verifyRoutes(tasks: VerifyTasks): TaskRoutes {
  return {
    verifyRequester: (p) => tasks.verifyRequester(readVerifyRequester(p)),
    verifyApprover: (p) => tasks.verifyApprover(readVerifyApprover(p)),
    awaitApproval: (p) => tasks.awaitApproval(readAwaitApproval(p)),
    recordOutcome: (p) => tasks.recordOutcome(readRecordOutcome(p)),
    notifyMinted: (p) => tasks.notifyMinted(readMint(p)),
  };
}

/** The mint function's one action. */
export function mintRoutes(task: MintTask): TaskRoutes {
  return { mint: (p) => task.mint(readMint(p)) };
}

/**
 * Runs the route of `event.action`. An action without a route is refused with `refusal` (InvalidRequestError),
 * so a function's rights serve no other function's task.
 */
export function taskHandler(routes: TaskRoutes, refusal = 'Task payload: unknown action.'): TaskHandler {
  return async (event) => {
    const action = (event as { action?: unknown } | null | undefined)?.action;
    const route =
      typeof action === 'string' && Object.hasOwn(routes, action) ? routes[action as TaskAction] : undefined;
    if (!route) throw new InvalidRequestError(refusal);
    return route(event as Payload);
  };
}
