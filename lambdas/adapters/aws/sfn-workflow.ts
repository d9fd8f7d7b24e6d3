import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { AlreadyDecidedError, ConflictError, InternalError } from '../../core/errors.js';
import type { Workflow } from '../../core/ports.js';
import type { ExecutionInput } from '../../core/types.js';
import { awsErrorName, isAwsError } from './aws-errors.js';

/** What Step Functions answers for a token whose wait is over (decided, timed out, or never valid). */
const decidedErrorNames = ['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'];

/** The approval state machine on AWS Step Functions. */
export class SfnWorkflow implements Workflow {
  /**
   * @param client an SFNClient created once per process.
   * @param stateMachineArn the approval state machine (`STS_STATE_MACHINE_ARN`).
   */
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: ExecutionInput): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          // Named after the request: a retried start cannot run the workflow twice.
          name: input.requestId,
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      if (isAwsError(error, 'ExecutionAlreadyExists')) throw new ConflictError('The request already has a workflow.');
      // The input carries TOTP codes and SDK messages may quote it: keep only the exception name.
      throw new InternalError(`Starting the approval workflow failed (${awsErrorName(error)}).`);
    }
  }

  async approve(taskToken: string, output: { approvedBy: string }): Promise<void> {
    await this.decide(
      () =>
        this.client.send(
          new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ approvedBy: output.approvedBy }) }),
        ),
      'SendTaskSuccess',
    );
  }

  async deny(taskToken: string, detail: { deniedBy: string; reason?: string }): Promise<void> {
    await this.decide(
      () =>
        this.client.send(
          new SendTaskFailureCommand({
            taskToken,
            error: 'Denied',
            cause: JSON.stringify({ deniedBy: detail.deniedBy, reason: detail.reason }),
          }),
        ),
      'SendTaskFailure',
    );
  }

  /** Maps a late or stale token to AlreadyDecidedError; never lets the token reach an error message. */
  private async decide(send: () => Promise<unknown>, action: string): Promise<void> {
    try {
      await send();
    } catch (error) {
      if (isAwsError(error, ...decidedErrorNames)) throw new AlreadyDecidedError();
      throw new InternalError(`${action} failed (${awsErrorName(error)}).`);
    }
  }
}
