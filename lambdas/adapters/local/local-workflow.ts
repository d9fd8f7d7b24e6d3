// First: aws-local-stepfunctions needs Promise.withResolvers, which Node 20 lacks.
import './polyfill.js';
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import { ConflictError, InternalError } from '../../core/errors.js';
import type { Workflow } from '../../core/ports.js';
import type { ExecutionInput } from '../../core/types.js';
import { prepareLocalDefinition } from './workflow-definition.js';
import {
  assertRunnable,
  buildTaskHandlers,
  type Dispatch,
  type HandlerDeps,
  type PublishAudit,
  stateError,
} from './workflow-handlers.js';
import { TaskTokenWaiters } from './workflow-waiters.js';

/** One entry of the runner's event log (StateEntered, StateExited, ExecutionFailed…). */
export type ExecutionEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** How an execution ended. */
export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface LocalWorkflowOptions {
  /** The substituted definition (statemachine/definition.ts `loadDefinition`). */
  definition: string;
  /** Runs a Lambda task's payload in process (the task functions' router, handlers/task-router.ts). */
  dispatch: Dispatch;
  /** Receives the definition's `dynamodb:*` tasks (dynalite in the embedded broker). */
  dynamodb: DynamoDBClient;
  /** Receives the definition's `sns:publish` messages (the `default` one; the parameters beside it). */
  audit: PublishAudit;
  /** Pause before every retry, in ms, instead of the definition's backoff (tests, embedded). */
  retryIntervalMs?: number;
  /** How many finished execution names to remember, to refuse their reuse (default 10,000; oldest forgotten first). */
  finishedNamesKept?: number;
  /** Called once per execution when it ends. */
  onSettled?: (id: string, status: ExecutionStatus) => void;
  /**
   * Every runner event, for tests and tracing. Events carry state inputs (the execution input holds TOTP
   * codes): never log them as they are.
   */
  onEvent?: (id: string, event: ExecutionEvent) => void;
}

/** The local Workflow, plus lifecycle for the embedded broker. */
export interface LocalWorkflow extends Workflow {
  /** Aborts every running execution and waits for the calls they have in flight. */
  close(): Promise<void>;
  /** How many executions are running. */
  running(): number;
}

interface Execution {
  token: string;
  aborted: boolean;
  abort(): void;
  done: Promise<void>;
}

const localAccount = 'arn:aws:states:local:000000000000';
const FINISHED_NAMES_KEPT = 10_000;

/**
 * Runs the approval state machine in process with aws-local-stepfunctions. Every Task state is overridden
 * by its Resource: Lambda tasks go to `dispatch`, `dynamodb:*` to the DynamoDB client, `sns:publish` to
 * `audit`, and the `.waitForTaskToken` state waits for `approve`/`deny` on the execution's task token.
 */
export function createLocalWorkflow(options: LocalWorkflowOptions): LocalWorkflow {
  const { definition, tasks, retryingStates } = prepareLocalDefinition(options.definition);
  const machineName = 'stsftw-approval';
  const machine = new StateMachine(definition);
  const waiters = new TaskTokenWaiters();
  const inFlight = new Set<Promise<unknown>>();
  const deps: HandlerDeps = {
    dispatch: options.dispatch,
    dynamodb: options.dynamodb,
    audit: options.audit,
    waiters,
    track<T>(work: Promise<T>): Promise<T> {
      inFlight.add(work);
      const forget = () => inFlight.delete(work);
      work.then(forget, forget);
      return work;
    },
  };
  assertRunnable(tasks, deps);
  const waitingStates = new Set(tasks.filter((t) => t.resource.endsWith('.waitForTaskToken')).map((t) => t.name));
  const retryIntervalOverrides =
    options.retryIntervalMs === undefined
      ? undefined
      : Object.fromEntries(retryingStates.map((name) => [name, options.retryIntervalMs as number]));

  // Execution names are unique per state machine on AWS too (a retried start cannot run twice). Running
  // names are the keys of `executions`; finished ones are kept in start order up to a bound, so that a
  // long-lived broker does not grow without end (AWS also forgets names, 90 days after the execution closed).
  // The broker never reuses an id anyway: a request id is taken in the requests table before its start.
  const executions = new Map<string, Execution>();
  const finished = new Set<string>();
  const finishedNamesKept = options.finishedNamesKept ?? FINISHED_NAMES_KEPT;
  let closed = false;

  function notify(id: string, status: ExecutionStatus): void {
    try {
      options.onSettled?.(id, status);
    } catch {
      // A faulty observer must not break the workflow.
    }
  }

  async function follow(id: string, execution: Execution, events: AsyncGenerator<ExecutionEvent>): Promise<void> {
    for await (const event of events) {
      // The waiting state is over (decided, timed out or failed): its token accepts no decision any more.
      if (event.type === 'StateExited' && waitingStates.has(event.state.name)) waiters.close(execution.token);
      try {
        options.onEvent?.(id, event);
      } catch {
        // Same as onSettled.
      }
    }
  }

  return {
    async start(input: ExecutionInput): Promise<void> {
      if (closed) throw new InternalError('The local workflow is closed.');
      const id = input.requestId;
      if (executions.has(id) || finished.has(id)) throw new ConflictError(`An execution named ${id} already exists.`);
      const execution: Execution = {
        token: randomBytes(32).toString('base64url'),
        aborted: false,
        abort: () => {},
        done: Promise.resolve(),
      };
      const scope = { token: execution.token, isAborted: () => execution.aborted };
      const run = machine.run(input as unknown as Parameters<StateMachine['run']>[0], {
        overrides: {
          taskResourceLocalHandlers: buildTaskHandlers(tasks, deps, scope),
          retryIntervalOverrides,
        },
        noThrowOnAbort: true,
        // The runner never creates `$$.Task.Token`; only one state waits, so one token per execution suffices.
        context: {
          Execution: { Id: `${localAccount}:execution:${machineName}:${id}`, Name: id },
          StateMachine: { Id: `${localAccount}:stateMachine:${machineName}`, Name: machineName },
          Task: { Token: execution.token },
        },
      });
      execution.abort = run.abort;
      const result = run.result.then(
        (): ExecutionStatus => (execution.aborted ? 'ABORTED' : 'SUCCEEDED'),
        (): ExecutionStatus => (execution.aborted ? 'ABORTED' : 'FAILED'),
      );
      execution.done = Promise.all([result, follow(id, execution, run.eventLogs)]).then(([status]) => {
        waiters.close(execution.token);
        executions.delete(id);
        finished.add(id);
        // A Set iterates in insertion order: the first name is the oldest.
        if (finished.size > finishedNamesKept) finished.delete(finished.values().next().value as string);
        notify(id, status);
      });
      executions.set(id, execution);
    },

    async approve(taskToken: string, output: { approvedBy: string }): Promise<void> {
      waiters.succeed(taskToken, output);
    },

    async deny(taskToken: string, detail: { deniedBy: string; reason?: string }): Promise<void> {
      // Cause carries who denied and why, as the AWS adapter's SendTaskFailure does.
      waiters.fail(taskToken, stateError('Denied', JSON.stringify(detail)));
    },

    async close(): Promise<void> {
      closed = true;
      const all = [...executions.values()];
      for (const execution of all) {
        execution.aborted = true;
        execution.abort();
        // Settles the pending wait so the runner clears its (possibly long) approval timer.
        waiters.abandon(execution.token, stateError('States.Aborted', 'The execution was aborted.'));
      }
      await Promise.all(all.map((e) => e.done));
      // Calls already made by aborted executions still finish before the caller closes the database.
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },

    running(): number {
      return executions.size;
    },
  };
}
