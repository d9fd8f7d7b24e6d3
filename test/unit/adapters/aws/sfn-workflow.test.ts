import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SfnWorkflow } from '../../../../lambdas/adapters/aws/sfn-workflow.js';
import { AlreadyDecidedError, ConflictError, InternalError } from '../../../../lambdas/core/errors.js';
import type { ExecutionInput } from '../../../../lambdas/core/types.js';

const sfn = mockClient(SFNClient);
const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:stsftw-approval';
const workflow = new SfnWorkflow(new SFNClient({ region: 'eu-west-1' }), arn);
const token = 'AAAAKgAAAAIAAAAAAAAAAsecret-task-token';
const input: ExecutionInput = {
  requestId: 'r_0123456789abcdefghjkmnpqrs',
  totpCode: '123456',
  approvalTimeoutSeconds: 900,
};

afterEach(() => {
  sfn.reset();
});

describe('SfnWorkflow', () => {
  it('starts an execution named after the request', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    await workflow.start(input);
    expect(sfn).toReceiveCommandExactlyOnceWith(StartExecutionCommand, {
      stateMachineArn: arn,
      name: input.requestId,
      input: JSON.stringify(input),
    });
  });

  it('maps ExecutionAlreadyExists to ConflictError', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ $metadata: {}, message: 'exists' }));
    await expect(workflow.start(input)).rejects.toBeInstanceOf(ConflictError);
  });

  it('does not echo the execution input when a start fails otherwise', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ValidationException({ $metadata: {}, message: `Value '${JSON.stringify(input)}' is invalid` }));
    const error = await workflow.start(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalError);
    expect((error as Error).message).toBe('Starting the approval workflow failed (ValidationException).');
  });

  it('approves with SendTaskSuccess', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    await workflow.approve(token, { approvedBy: 'bob' });
    expect(sfn).toReceiveCommandExactlyOnceWith(SendTaskSuccessCommand, {
      taskToken: token,
      output: '{"approvedBy":"bob"}',
    });
  });

  it('denies with SendTaskFailure and error Denied', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    await workflow.deny(token, { deniedBy: 'bob', reason: 'not today' });
    expect(sfn).toReceiveCommandExactlyOnceWith(SendTaskFailureCommand, {
      taskToken: token,
      error: 'Denied',
      cause: '{"deniedBy":"bob","reason":"not today"}',
    });
  });

  it('denies without a reason', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    await workflow.deny(token, { deniedBy: 'bob' });
    expect(sfn).toReceiveCommandWith(SendTaskFailureCommand, { cause: '{"deniedBy":"bob"}' });
  });

  const decided = [
    ['TaskTimedOut', () => new TaskTimedOut({ $metadata: {}, message: `Task Timed Out: '${token}'` })],
    ['InvalidToken', () => new InvalidToken({ $metadata: {}, message: `Invalid token: '${token}'` })],
    ['TaskDoesNotExist', () => new TaskDoesNotExist({ $metadata: {}, message: `Task does not exist: '${token}'` })],
  ] as const;

  it.each(decided)('approve maps %s to AlreadyDecidedError', async (_name, exception) => {
    sfn.on(SendTaskSuccessCommand).rejects(exception());
    const error = await workflow.approve(token, { approvedBy: 'bob' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlreadyDecidedError);
    expect((error as Error).message).not.toContain(token);
  });

  it.each(decided)('deny maps %s to AlreadyDecidedError', async (_name, exception) => {
    sfn.on(SendTaskFailureCommand).rejects(exception());
    await expect(workflow.deny(token, { deniedBy: 'bob' })).rejects.toBeInstanceOf(AlreadyDecidedError);
  });

  it.each([
    ['approve', () => workflow.approve(token, { approvedBy: 'bob' }), SendTaskSuccessCommand],
    ['deny', () => workflow.deny(token, { deniedBy: 'bob' }), SendTaskFailureCommand],
  ] as const)('%s never puts the token in an unexpected error', async (_name, call, command) => {
    sfn
      .on(command as typeof SendTaskSuccessCommand)
      .rejects(new ValidationException({ $metadata: {}, message: `Value '${token}' at 'taskToken' is too long` }));
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalError);
    expect(JSON.stringify({ message: (error as Error).message, cause: (error as Error).cause })).not.toContain(token);
  });
});
