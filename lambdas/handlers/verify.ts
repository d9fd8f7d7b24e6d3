/** Verify Lambda entry: the state machine's verification and bookkeeping tasks. Wiring only. */
import { InvalidRequestError } from '../core/errors.js';
import { createTasks, taskActions } from '../core/tasks.js';
import { taskDeps } from './deps.js';

const tasks = createTasks(taskDeps());
const actions = new Set<string>(taskActions.filter((action) => action !== 'mint'));

/** Runs the task named by `event.action`; minting is refused here (it has its own function and role). */
export const handler = async (event: { action: string } & Record<string, unknown>): Promise<unknown> => {
  if (!actions.has(event?.action)) throw new InvalidRequestError('This function does not run that action.');
  return tasks.dispatch(event);
};
