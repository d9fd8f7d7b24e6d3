import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SnsAudit } from '../../../../lambdas/adapters/aws/sns-audit.js';
import type { AuditEvent } from '../../../../lambdas/core/types.js';

const sns = mockClient(SNSClient);
const topicArn = 'arn:aws:sns:eu-west-1:123456789012:stsftw-audit';
const audit = new SnsAudit(new SNSClient({ region: 'eu-west-1' }), topicArn);

afterEach(() => {
  sns.reset();
});

const locked: AuditEvent = {
  type: 'account.locked',
  at: '2025-06-01T00:00:00.000Z',
  issuer: 'acme',
  accountName: 'alice',
  reason: '5 consecutive failed attempts; locked until 2025-06-01T00:15:00.000Z',
};

describe('SnsAudit', () => {
  it('publishes per-protocol messages with a subject per event type and an event_type attribute', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await audit.publish(locked);
    expect(sns).toReceiveCommandExactlyOnceWith(PublishCommand, {
      TopicArn: topicArn,
      Subject: 'Account Locked After Failed Codes',
      MessageStructure: 'json',
      Message: expect.any(String),
      MessageAttributes: { event_type: { DataType: 'String', StringValue: 'account.locked' } },
    });
    const message = JSON.parse(sns.commandCalls(PublishCommand)[0].args[0].input.Message as string);
    expect(Object.keys(message).sort()).toEqual(['default', 'email']);
    // Every protocol without its own entry (SQS, Lambda, HTTPS, email-json) gets the JSON event as before.
    expect(JSON.parse(message.default)).toEqual(locked);
    // E-mail subscribers read text.
    expect(message.email).toContain('\nIssuer: acme\nAccount Name: alice\n');
    expect(message.email).toContain(`\nReason: ${locked.reason}\n`);
  });

  it("keeps STSFTW 1.0's subject for a mint", async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    await audit.publish({
      type: 'request.minted',
      at: 'now',
      issuer: 'acme',
      accountName: 'alice',
      approvedBy: ['bob'],
    });
    expect(sns).toReceiveCommandWith(PublishCommand, { Subject: 'Credentials Minted For Account' });
  });

  it('lets SNS errors through so the caller can fail closed', async () => {
    const failure = Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' });
    sns.on(PublishCommand).rejects(failure);
    await expect(
      audit.publish({ type: 'request.minted', at: 'now', issuer: 'acme', accountName: 'alice' }),
    ).rejects.toBe(failure);
  });
});
