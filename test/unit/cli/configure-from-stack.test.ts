import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../../support/cli-harness.js';

const cfn = mockClient(CloudFormationClient);

function validationError(message: string) {
  return new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: {}, message });
}

describe('sts configure --from-stack', () => {
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  beforeEach(() => {
    home = tempHome();
    env = { HOME: home.home, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test' };
  });
  afterEach(() => {
    cfn.reset();
    home.cleanup();
  });

  const savedProfiles = () =>
    JSON.parse(readFileSync(join(home.home, '.config', 'stsftw', 'config.json'), 'utf8')).profiles;

  it("saves the stack's Endpoint output with the other fields, and the stack's region", async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'stsftw' }).resolves({
      Stacks: [
        {
          StackName: 'stsftw',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'AuthTableName', OutputValue: 'stsftw-auth' },
            { OutputKey: 'Endpoint', OutputValue: 'https://abc.execute-api.eu-west-1.amazonaws.com' },
          ],
        },
      ],
    });
    const result = await runCli(
      ['configure', '--from-stack', 'stsftw', '--issuer', 'acme', '--account-name', 'alice'],
      env,
    );
    expect(result.code).toBe(0);
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'stsftw' });
    expect(savedProfiles().default).toEqual({
      endpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com',
      issuer: 'acme',
      accountName: 'alice',
      region: 'eu-west-1',
    });
  });

  it('names the stack and region when the stack does not exist', async () => {
    cfn.on(DescribeStacksCommand).rejects(validationError('Stack with id nope does not exist'));
    const result = await runCli(['configure', '--from-stack', 'nope'], env);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('No stack named nope in eu-west-1');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a stack without an Endpoint output', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'other', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }],
    });
    const result = await runCli(['configure', '--from-stack', 'other'], env);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('has no Endpoint output');
  });

  it('refuses --endpoint together with --from-stack without calling AWS', async () => {
    const result = await runCli(['configure', '--from-stack', 'stsftw', '--endpoint', 'https://x.example.com'], env);
    expect(result.code).toBe(64);
    expect(cfn.calls()).toHaveLength(0);
  });
});
