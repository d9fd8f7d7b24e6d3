import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { RunOptions } from 'aws-local-stepfunctions';
import { InternalError } from '../../core/errors.js';
import type { LocalTask } from './workflow-definition.js';
import type { TaskTokenWaiters } from './workflow-waiters.js';

/** The runner's per-state override map. */
export type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type Handler = TaskHandlers[string];
type Json = Parameters<Handler>[0];

/** What a task payload dispatcher looks like (handlers/task-router.ts `taskHandler`). */
export type Dispatch = (payload: { action: string } & Record<string, unknown>) => Promise<unknown>;

/** An `sns:publish` task's parameters as the state resolved them (the SNS Publish API's input). */
export interface SnsPublishParameters {
  TopicArn?: string;
  Message: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
}

/**
 * Receives a published audit message: `message` is what a `default` subscriber gets (with
 * `MessageStructure: 'json'`, the `default` entry: the JSON event), `publish` the whole parameters.
 */
export type PublishAudit = (message: string, publish: SnsPublishParameters) => Promise<void>;

/** The outside world the handlers reach, shared by all executions. */
export interface HandlerDeps {
  dispatch: Dispatch;
  dynamodb: DynamoDBClient;
  audit: PublishAudit;
  waiters: TaskTokenWaiters;
  /** Wraps every outside call so that closing can wait for those in flight. */
  track<T>(work: Promise<T>): Promise<T>;
}

/** What the handlers need to know about the one execution they serve. */
export interface ExecutionScope {
  token: string;
  isAborted(): boolean;
}

// Parameters of a `dynamodb:*` task are the API's input, so they map one to one onto SDK commands.
const dynamoCommands = {
  getItem: (input: any) => new GetItemCommand(input),
  putItem: (input: any) => new PutItemCommand(input),
  updateItem: (input: any) => new UpdateItemCommand(input),
  deleteItem: (input: any) => new DeleteItemCommand(input),
};

/**
 * An error the runner catches by `name` (its message becomes the Cause). Only name and message are kept,
 * like a Lambda error reaching Step Functions: no stack, no nested causes.
 */
export function stateError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function fromThrown(e: unknown, prefix = ''): Error {
  const name = e instanceof Error && e.name ? e.name : 'Error';
  const message = e instanceof Error ? e.message : 'Task failed.';
  // Service integrations report `<Service>.<Exception>` on AWS (e.g. DynamoDB.ConditionalCheckFailedException).
  return stateError(prefix && !name.startsWith(prefix) ? `${prefix}${name}` : name, message);
}

/** Lambda returns JSON: drop what JSON cannot carry (undefined, functions) exactly as serialisation would. */
function asJson(value: unknown): Json {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

function payloadOf(input: Json): { action: string } & Record<string, unknown> {
  const payload = (input as { Payload?: unknown } | null)?.Payload;
  if (!payload || typeof payload !== 'object' || typeof (payload as { action?: unknown }).action !== 'string') {
    throw stateError('States.Runtime', 'The task payload has no action.');
  }
  return payload as { action: string } & Record<string, unknown>;
}

/** SNS's `InvalidParameter`, as the `sns:publish` integration reports it. */
function snsInvalid(message: string): Error {
  return stateError('SNS.InvalidParameterException', `Invalid parameter: ${message}`);
}

/**
 * Checks `sns:publish` parameters the way SNS does, so a definition or task that AWS would refuse fails
 * here too, and returns them with the message a `default` subscriber gets.
 */
function snsPublish(input: Json): { publish: SnsPublishParameters; message: string } {
  const publish = (input ?? {}) as unknown as SnsPublishParameters;
  if (typeof publish.Message !== 'string' || publish.Message === '') throw snsInvalid('Message is required.');
  const subject = publish.Subject;
  // No line breaks or control characters, under 100 characters (AWS documents ASCII; this stays strict).
  if (subject !== undefined && (typeof subject !== 'string' || !/^[\x21-\x7e][\x20-\x7e]{0,98}$/.test(subject))) {
    throw snsInvalid('Subject must be printable ASCII without line breaks, under 100 characters.');
  }
  if (publish.MessageStructure === undefined) return { publish, message: publish.Message };
  if (publish.MessageStructure !== 'json') throw snsInvalid('MessageStructure must be json.');
  let entries: unknown;
  try {
    entries = JSON.parse(publish.Message);
  } catch {
    entries = undefined;
  }
  const values = entries && typeof entries === 'object' && !Array.isArray(entries) ? Object.values(entries) : [];
  const defaultEntry = (entries as { default?: unknown } | undefined)?.default;
  if (typeof defaultEntry !== 'string' || values.some((v) => typeof v !== 'string')) {
    throw snsInvalid('Message Structure - JSON message body needs a string default entry and string values.');
  }
  return { publish, message: defaultEntry };
}

/** Builds the handler for one task from its Resource; throws for resources the local runner cannot serve. */
function handlerFor(task: LocalTask, deps: HandlerDeps, scope: ExecutionScope): Handler {
  const guard = (): void => {
    // After an abort the runner may still retry the current state; nothing must reach the outside world then.
    if (scope.isAborted()) throw stateError('States.Aborted', 'The execution was aborted.');
  };
  const resource = task.resource;

  if (resource === 'arn:aws:states:::lambda:invoke') {
    return async (input) => {
      guard();
      const result = await deps.track(deps.dispatch(payloadOf(input))).catch((e: unknown) => {
        throw fromThrown(e);
      });
      // Shaped like the optimized integration's result so that `ResultSelector` reads `$.Payload…` as on AWS.
      return { Payload: asJson(result) };
    };
  }

  if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') {
    return async (input) => {
      guard();
      // Listen before the token is stored: a decision may arrive as soon as it is.
      const decision = deps.waiters.wait(scope.token);
      try {
        await deps.track(deps.dispatch(payloadOf(input)));
      } catch (e) {
        deps.waiters.close(scope.token);
        throw fromThrown(e);
      }
      return asJson(await decision);
    };
  }

  const dynamo = /^arn:aws:states:::dynamodb:(getItem|putItem|updateItem|deleteItem)$/.exec(resource);
  if (dynamo) {
    const command = dynamoCommands[dynamo[1] as keyof typeof dynamoCommands];
    return async (input) => {
      guard();
      const output = await deps
        .track(deps.dynamodb.send(command(input) as any) as Promise<{ $metadata?: unknown }>)
        .catch((e: unknown) => {
          throw fromThrown(e, 'DynamoDB.');
        });
      const { $metadata: _metadata, ...rest } = output;
      return asJson(rest);
    };
  }

  if (resource === 'arn:aws:states:::sns:publish') {
    return async (input) => {
      guard();
      const { publish, message } = snsPublish(input);
      await deps.track(deps.audit(message, publish)).catch((e: unknown) => {
        throw fromThrown(e, 'SNS.');
      });
      return { MessageId: randomUUID() };
    };
  }

  throw new InternalError(`The local workflow has no handler for resource ${resource} (state "${task.name}").`);
}

/** Checks up front that every task of the definition can run locally. */
export function assertRunnable(tasks: LocalTask[], deps: HandlerDeps): void {
  buildTaskHandlers(tasks, deps, { token: '', isAborted: () => true });
}

/** The override map for one execution: every Task state of the definition, by state name. */
export function buildTaskHandlers(tasks: LocalTask[], deps: HandlerDeps, scope: ExecutionScope): TaskHandlers {
  return Object.fromEntries(tasks.map((task) => [task.name, handlerFor(task, deps, scope)]));
}
