import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { InternalError } from '../../core/errors.js';

/** One Task state and the service integration it calls. */
export interface LocalTask {
  name: string;
  resource: string;
}

/** A definition made runnable by aws-local-stepfunctions, plus what the local workflow needs to know about it. */
export interface LocalDefinition {
  definition: StateMachineDefinition;
  tasks: LocalTask[];
  /** Names of states with a `Retry` field (so retry pauses can be shortened). */
  retryingStates: string[];
}

/** Parameter the local copy adds to carry a timeout taken from the state input (see below). */
const timeoutParameter = 'localTimeoutSeconds';

type JsonObject = Record<string, unknown>;

/**
 * Parses a substituted definition for the local runner. It differs from AWS in one place, patched here:
 * aws-local-stepfunctions resolves `TimeoutSecondsPath` against the task's Parameters, while AWS resolves it
 * against the state input. So the local copy evaluates the path inside Parameters (still against the state
 * input) into an extra field and points `TimeoutSecondsPath` at that field; task handlers ignore it.
 */
export function prepareLocalDefinition(text: string): LocalDefinition {
  const definition = JSON.parse(text) as StateMachineDefinition & { QueryLanguage?: string };
  if (definition.QueryLanguage && definition.QueryLanguage !== 'JSONPath') {
    throw new InternalError('The local workflow runs JSONPath definitions only.');
  }
  const tasks: LocalTask[] = [];
  const retryingStates: string[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    const s = state as unknown as JsonObject;
    if (Array.isArray(s.Retry) && s.Retry.length > 0) retryingStates.push(name);
    if (s.Type === 'Parallel' || s.Type === 'Map') {
      // Nested state machines would need their own handler maps; this definition has none.
      throw new InternalError(`The local workflow does not run ${s.Type} states (state "${name}").`);
    }
    if (s.Type !== 'Task') continue;
    tasks.push({ name, resource: String(s.Resource) });
    const path = s.TimeoutSecondsPath;
    if (typeof path === 'string' && s.Parameters && typeof s.Parameters === 'object' && !Array.isArray(s.Parameters)) {
      s.Parameters = { ...(s.Parameters as JsonObject), [`${timeoutParameter}.$`]: path };
      s.TimeoutSecondsPath = `$.${timeoutParameter}`;
    }
  }
  return { definition, tasks, retryingStates };
}
