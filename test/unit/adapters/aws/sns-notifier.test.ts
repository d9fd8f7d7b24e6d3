import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approvalEmail } from '../../../../lambdas/adapters/aws/approval-message.js';
import { chatbotNotification } from '../../../../lambdas/adapters/aws/chatbot-notification.js';
import { NotifyFailedError, SnsNotifier } from '../../../../lambdas/adapters/aws/sns-notifier.js';
import { awaitingNotification } from '../../../../lambdas/core/notification.js';
import { createVerifyTasks } from '../../../../lambdas/core/tasks/verify.js';
import type { RequestRecord } from '../../../../lambdas/core/types.js';
import { config, setup } from '../../core/tasks/fixture.js';

const sns = mockClient(SNSClient);
const topicArn = 'arn:aws:sns:eu-west-1:123456789012:stsftw-approvals';
const client = new SNSClient({ region: 'eu-west-1' });

afterEach(() => {
  sns.reset();
});

const record: RequestRecord = {
  id: 'r_0123456789abcdefghjkmnpqrs',
  status: 'AWAITING_APPROVAL',
  issuer: 'acme',
  accountName: 'alice',
  role: 'stsftw-admin',
  durationSeconds: 1800,
  publicKey: 'cHVibGljLWtleS1vZi10aGUtcmVxdWVzdGVyLTMyYg',
  reason: 'deploy',
  approvalsRequired: 1,
  createdAt: '2030-01-01T00:00:00.000Z',
  decisionDeadline: '2030-01-01T00:15:00.000Z',
  expiresAt: 1_900_000_000,
};
const waiting = awaitingNotification(
  record,
  ['bob'],
  { publicUrl: 'https://sts.example.com', approvePage: true },
  new Date('2030-01-01T00:00:06.000Z'),
);

describe('SnsNotifier', () => {
  it('publishes a subject, per-protocol bodies and the approvers attribute to the approvals topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await new SnsNotifier(client, topicArn).notify(waiting);
    expect(sns).toReceiveCommandExactlyOnceWith(PublishCommand, {
      TopicArn: topicArn,
      Subject: 'STSFTW approval needed: alice asks for stsftw-admin',
      MessageStructure: 'json',
      Message: JSON.stringify({
        default: JSON.stringify(waiting),
        email: approvalEmail(waiting),
        https: chatbotNotification(waiting, 'STSFTW approval needed: alice asks for stsftw-admin'),
      }),
      MessageAttributes: {
        approvers: { DataType: 'String.Array', StringValue: '["acme/bob","acme/alice"]' },
        event_type: { DataType: 'String', StringValue: 'request.awaiting_approval' },
      },
    });
  });

  it('sends exactly those bodies and nothing else', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await new SnsNotifier(client, topicArn).notify(waiting);
    const input = sns.commandCalls(PublishCommand)[0].args[0].input;
    const bodies = JSON.parse(input.Message as string);
    expect(Object.keys(bodies).sort()).toEqual(['default', 'email', 'https']);
    expect(JSON.parse(bodies.default)).toEqual(waiting);
    expect(bodies.email).toBe(approvalEmail(waiting));
    expect(JSON.parse(bodies.https)).toMatchObject({ version: '1.0', source: 'custom' });
    expect(Object.keys(input).sort()).toEqual([
      'Message',
      'MessageAttributes',
      'MessageStructure',
      'Subject',
      'TopicArn',
    ]);
  });

  it('throws a secret-free error named after the SDK exception, for the warning the task logs', async () => {
    sns.on(PublishCommand).rejects(
      Object.assign(new Error('Invalid parameter: Message contains deploy-secret-value'), {
        name: 'InvalidParameterException',
        $metadata: {},
      }),
    );
    const failure = await new SnsNotifier(client, topicArn).notify(waiting).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(NotifyFailedError);
    expect(failure).toMatchObject({
      name: 'InvalidParameterException',
      message:
        'The approvals topic did not take the request.awaiting_approval notification (InvalidParameterException).',
    });
    expect(String((failure as Error).message)).not.toContain('deploy-secret-value');
  });

  it('gives up on a topic that does not answer instead of holding up the task', async () => {
    // A client that never answers but honours the abort signal, as the SDK's transport does.
    const hanging = {
      send: (_command: unknown, options?: { abortSignal?: AbortSignal }) =>
        new Promise((_resolve, reject) => {
          options?.abortSignal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
          );
        }),
    } as unknown as SNSClient;
    const failure = await new SnsNotifier(hanging, topicArn, { timeoutMs: 20 }).notify(waiting).catch((e) => e);
    expect(failure).toBeInstanceOf(NotifyFailedError);
    expect(failure.name).toBe('AbortError');
  });
});

describe('SnsNotifier in the verify tasks', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('never lets a TOTP code, a task token, a credential or the public key reach the topic', async () => {
    const logs: unknown[] = [];
    const tasks = createVerifyTasks({
      ...t,
      config,
      notifier: new SnsNotifier(client, topicArn),
      links: () => ({ publicUrl: 'https://sts.example.com', approvePage: true }),
      log: (line) => logs.push(line),
    });
    const id = await t.request({ reason: 'deploy' });
    const totpCode = t.code('alice');
    await expect(tasks.verifyRequester({ requestId: id, totpCode })).resolves.toEqual({ next: 'awaitApproval' });
    await tasks.awaitApproval({ requestId: id, taskToken: 'AAAA-TASK-TOKEN-NEVER-PUBLISHED' });
    await t.requests.addApproval(
      id,
      ['AWAITING_APPROVAL'],
      { accountName: 'bob', approvedAt: t.clock.now().toISOString() },
      0,
      'APPROVED',
    );
    const minted = await t.tasks.mint({ requestId: id });
    await t.requests.transition(id, ['APPROVED'], 'MINTED', {
      sealedCredentials: JSON.parse(minted.sealed),
      expiration: minted.expiration,
    });
    await expect(tasks.notifyMinted({ requestId: id })).resolves.toEqual({ notified: true });

    const published = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(published.map((input) => input.MessageAttributes?.event_type?.StringValue)).toEqual([
      'request.awaiting_approval',
      'request.minted',
    ]);
    expect(logs).toEqual([]);
    const text = JSON.stringify(published);
    const sealed = JSON.parse(minted.sealed) as { enc: string; ciphertext: string };
    for (const secret of [
      totpCode,
      'AAAA-TASK-TOKEN-NEVER-PUBLISHED',
      t.keys.publicKey,
      sealed.enc,
      sealed.ciphertext,
      'ASIAFAKE',
      'fake-secret-1',
      'fake-token-1',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
