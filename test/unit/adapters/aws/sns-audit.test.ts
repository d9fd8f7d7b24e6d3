import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { auditSubject, SnsAudit } from '../../../../lambdas/adapters/aws/sns-audit.js';
import type { AuditEvent } from '../../../../lambdas/core/types.js';

const sns = mockClient(SNSClient);
const topicArn = 'arn:aws:sns:eu-west-1:123456789012:stsftw-audit';
const audit = new SnsAudit(new SNSClient({ region: 'eu-west-1' }), topicArn);

afterEach(() => {
  sns.reset();
});

describe('SnsAudit', () => {
  it('publishes the event as JSON with a subject and an event_type attribute', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const event: AuditEvent = {
      type: 'account.locked',
      at: '2025-06-01T00:00:00.000Z',
      issuer: 'acme',
      accountName: 'alice',
    };
    await audit.publish(event);
    expect(sns).toReceiveCommandExactlyOnceWith(PublishCommand, {
      TopicArn: topicArn,
      Message: JSON.stringify(event),
      Subject: 'stsftw: account.locked',
      MessageAttributes: { event_type: { DataType: 'String', StringValue: 'account.locked' } },
    });
  });

  it('lets SNS errors through so the caller can fail closed', async () => {
    const failure = Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' });
    sns.on(PublishCommand).rejects(failure);
    await expect(
      audit.publish({ type: 'request.minted', at: 'now', issuer: 'acme', accountName: 'alice' }),
    ).rejects.toBe(failure);
  });
});

describe('auditSubject', () => {
  it('keeps subjects printable ASCII and under 100 characters', () => {
    const subject = auditSubject({ type: `request.minted\né${'x'.repeat(200)}` as AuditEvent['type'] });
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^stsftw: request\.minted\?\?x+$/);
  });
});
