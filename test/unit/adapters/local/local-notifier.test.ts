import { afterEach, describe, expect, it } from 'vitest';
import { LocalNotifier, parseNotifyUrl, WebhookError } from '../../../../lambdas/adapters/local/local-notifier.js';
import type { Notification } from '../../../../lambdas/core/notification.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../support/webhook-receiver.js';

const notification: Notification = {
  type: 'request.awaiting_approval',
  at: '2030-01-01T00:00:00.000Z',
  requestId: 'r_0123456789abcdefghjkmnpqrs',
  issuer: 'acme',
  requester: 'alice',
  role: 'Admin',
  reason: null,
  durationSeconds: 900,
  verificationCode: 'K7Q-M2X',
  decisionDeadline: '2030-01-01T00:15:00.000Z',
  approvers: ['bob'],
  approvalsRequired: 1,
  approvedBy: [],
  approveUrl: 'http://127.0.0.1:8787/approve/r_0123456789abcdefghjkmnpqrs',
  approveCommand: 'sts approve r_0123456789abcdefghjkmnpqrs --issuer acme --account-name <you>',
};

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('LocalNotifier', () => {
  it('prints the paragraph and POSTs {text, event} as JSON, as chat webhooks take it', async () => {
    receiver = await startWebhookReceiver();
    const lines: string[] = [];
    await new LocalNotifier({ url: receiver.url, print: (line) => lines.push(line) }).notify(notification);
    expect(lines).toEqual([expect.stringMatching(/^notify: alice \(acme\) asks for Admin for 15 min\./)]);
    expect(receiver.posts).toEqual([
      { contentType: 'application/json', body: { text: lines[0].slice('notify: '.length), event: notification } },
    ]);
  });

  it('prints only, without a URL', async () => {
    const lines: string[] = [];
    await new LocalNotifier({ print: (line) => lines.push(line) }).notify(notification);
    expect(lines).toHaveLength(1);
  });

  it('retries a failing webhook and stops once it accepts', async () => {
    receiver = await startWebhookReceiver([500, 503]);
    await new LocalNotifier({ url: receiver.url, print: () => {}, retryDelayMs: 1 }).notify(notification);
    expect(receiver.posts).toHaveLength(3);
  });

  it('gives up after its tries, and at once on a client error, with an error naming no secret', async () => {
    receiver = await startWebhookReceiver([500, 500, 500, 404]);
    const notifier = new LocalNotifier({ url: receiver.url, print: () => {}, retryDelayMs: 1 });
    await expect(notifier.notify(notification)).rejects.toThrow(
      new WebhookError('The notification webhook did not accept request.awaiting_approval (HTTP 500).'),
    );
    expect(receiver.posts).toHaveLength(3);
    await expect(notifier.notify(notification)).rejects.toThrow(/HTTP 404/);
    expect(receiver.posts).toHaveLength(4);
  });

  it('fails on an unreachable webhook without hanging past its timeout', async () => {
    const notifier = new LocalNotifier({
      url: 'http://127.0.0.1:9/hook',
      print: () => {},
      retryDelayMs: 1,
      timeoutMs: 500,
    });
    await expect(notifier.notify(notification)).rejects.toBeInstanceOf(WebhookError);
  });
});

describe('parseNotifyUrl', () => {
  it.each([
    ['https://hooks.slack.com/services/T/B/X', 'https://hooks.slack.com/services/T/B/X'],
    ['http://127.0.0.1:9000/hook', 'http://127.0.0.1:9000/hook'],
    ['ftp://example.com/x', undefined],
    ['hooks.slack.com/x', undefined],
    ['file:///etc/passwd', undefined],
  ])('%s → %s', (input, expected) => {
    expect(parseNotifyUrl(input)).toBe(expected);
  });
});
