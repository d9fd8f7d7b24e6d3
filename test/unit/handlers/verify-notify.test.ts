import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { attributes } from '../../support/dynamo-mock.js';

const approvalsTopic = 'arn:aws:sns:eu-west-1:123456789012:stsftw-approvals';
const auditTopic = 'arn:aws:sns:eu-west-1:123456789012:stsftw-audit';

// What infra gives the verify function, read at import as on a cold start.
beforeAll(() => {
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example');
  vi.stubEnv('STS_TABLE_NAME', 'stsftw-auth');
  vi.stubEnv('STS_REQUESTS_TABLE_NAME', 'stsftw-requests');
  vi.stubEnv('STS_AUDIT_TOPIC_ARN', auditTopic);
  vi.stubEnv('STS_KMS_KEY_ID', 'alias/stsftw');
  vi.stubEnv('STS_APPROVALS_TOPIC_ARN', approvalsTopic);
  vi.stubEnv('STS_PUBLIC_URL', 'https://abc123.execute-api.eu-west-1.amazonaws.com/');
});
afterAll(() => {
  vi.unstubAllEnvs();
});

const dynamo = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
afterEach(() => {
  dynamo.reset();
  sns.reset();
});

const id = 'r_0123456789abcdefghjkmnpqrs';
const requestItem = {
  id,
  status: 'AWAITING_APPROVAL',
  issuer: 'acme',
  account_name: 'alice',
  role: 'stsftw-admin',
  duration_seconds: 1800,
  public_key: 'cHVibGljLWtleS1vZi10aGUtcmVxdWVzdGVyLTMyYg',
  approvals_required: 1,
  task_token: 'TASK-TOKEN',
  created_at: '2030-01-01T00:00:00.000Z',
  decision_deadline: '2030-01-01T00:15:00.000Z',
  expires_at: 1_900_000_000,
};
const alice = {
  issuer: 'acme',
  account_name: 'alice',
  roles: ['stsftw-admin'],
  secondary_authorization: ['bob'],
  created_at: '2030-01-01T00:00:00.000Z',
  updated_at: '2030-01-01T00:00:00.000Z',
};

describe('verify handler: approval notifications', () => {
  it('publishes a waiting request to the approvals topic, linking the page at STS_PUBLIC_URL', async () => {
    dynamo.on(UpdateItemCommand).resolves({ Attributes: attributes(requestItem) });
    dynamo.on(GetItemCommand).resolves({ Item: attributes(alice) });
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const { handler } = await import('../../../lambdas/handlers/verify.js');

    await expect(handler({ action: 'awaitApproval', requestId: id, taskToken: 'TASK-TOKEN' })).resolves.toEqual({
      stored: true,
    });
    const published = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(published.map((input) => input.TopicArn)).toEqual([approvalsTopic]);
    expect(published[0].MessageAttributes?.approvers).toEqual({
      DataType: 'String.Array',
      StringValue: '["acme/bob","acme/alice"]',
    });
    const event = JSON.parse(JSON.parse(published[0].Message as string).default);
    const base = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
    expect(event).toMatchObject({
      type: 'request.awaiting_approval',
      requestId: id,
      approvers: ['bob'],
      approveUrl: `${base}/approve/${id}`,
      approveCommand: `sts approve ${id} --endpoint ${base} --issuer acme --account-name <you>`,
    });
    expect(published[0].Message).not.toContain('TASK-TOKEN');
  });

  it('still stores the token when the topic refuses the notification', async () => {
    dynamo.on(UpdateItemCommand).resolves({ Attributes: attributes(requestItem) });
    dynamo.on(GetItemCommand).resolves({ Item: attributes(alice) });
    sns.on(PublishCommand).rejects(Object.assign(new Error('denied'), { name: 'AuthorizationErrorException' }));
    const warn = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { handler } = await import('../../../lambdas/handlers/verify.js');
      await expect(handler({ action: 'awaitApproval', requestId: id, taskToken: 'TASK-TOKEN' })).resolves.toEqual({
        stored: true,
      });
      expect(warn).toHaveBeenCalledWith(
        JSON.stringify({
          level: 'warn',
          msg: 'notification failed',
          type: 'request.awaiting_approval',
          requestId: id,
          error: 'AuthorizationErrorException',
        }),
      );
    } finally {
      warn.mockRestore();
    }
  });
});
