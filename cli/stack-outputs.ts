/**
 * Reads a deployed broker stack's outputs (`sts configure --from-stack NAME`). Loaded lazily: only this
 * command needs the CloudFormation client, with the operator's default AWS credential chain.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { CliError, ExitCode } from './errors.js';

/** The outputs of `stackName` (OutputKey → OutputValue). */
export async function readStackOutputs(
  stackName: string,
  region: string | undefined,
  client: CloudFormationClient = new CloudFormationClient(region ? { region } : {}),
): Promise<Record<string, string>> {
  let answer: DescribeStacksCommandOutput;
  try {
    answer = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    const message = (error as { message?: string }).message ?? '';
    if (name === 'ValidationError' && /does not exist/.test(message)) {
      throw new CliError(
        `No stack named ${stackName} in ${region ?? 'the default region'}: check --from-stack and --region (or AWS_REGION).`,
      );
    }
    // The SDK's words when it resolves no region, or an empty / malformed one (AWS_REGION=).
    if (/region is missing|region not accepted/i.test(message)) {
      throw new CliError(
        `No valid AWS region to read stack ${stackName} in: pass --region (or set AWS_REGION), e.g. --region eu-west-1.`,
      );
    }
    if (name === 'CredentialsProviderError' || /credential/i.test(name)) {
      throw new CliError(
        'No AWS credentials to read the stack with: sign in (e.g. `aws sso login`) or pass --endpoint instead of --from-stack.',
        ExitCode.unavailable,
      );
    }
    throw new CliError(`Could not read stack ${stackName} (${name}).`, ExitCode.unavailable);
  }
  const outputs: Record<string, string> = {};
  for (const output of answer.Stacks?.[0]?.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  }
  return outputs;
}

/** The broker endpoint a stack announces (its `Endpoint` output). */
export async function stackEndpoint(stackName: string, region: string | undefined): Promise<string> {
  const outputs = await readStackOutputs(stackName, region);
  const endpoint = outputs.Endpoint;
  if (!endpoint) {
    throw new CliError(`Stack ${stackName} has no Endpoint output: is it an stsftw stack (infra/stack.ts)?`);
  }
  return endpoint;
}
