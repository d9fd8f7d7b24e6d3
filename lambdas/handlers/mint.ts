/** Mint Lambda entry: AssumeRole + seal, the only function allowed to call STS. Wiring only. */
import { InvalidRequestError } from '../core/errors.js';
import { createTasks } from '../core/tasks.js';
import { taskDeps } from './deps.js';

const tasks = createTasks(taskDeps());

/** Runs the `mint` task; any other action is refused so this role's STS rights serve nothing else. */
export const handler = async (event: { action: string } & Record<string, unknown>): Promise<unknown> => {
  if (event?.action !== 'mint') throw new InvalidRequestError('This function only mints.');
  return tasks.dispatch(event);
};
