/** The verify tasks tell approvers and requester when a request starts waiting and how it ended (issue 10). */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../../../lambdas/core/notification.js';
import type { Notifier } from '../../../../lambdas/core/ports.js';
import { createVerifyTasks } from '../../../../lambdas/core/tasks/verify.js';
import { config, setup } from './fixture.js';

class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  failing = false;
  async notify(n: Notification): Promise<void> {
    if (this.failing) throw Object.assign(new Error('webhook down'), { name: 'WebhookError' });
    this.sent.push(n);
  }
}

describe('notifications from the verify tasks', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  let notifier: RecordingNotifier;
  let logs: Record<string, unknown>[];
  let tasks: ReturnType<typeof createVerifyTasks>;
  beforeEach(async () => {
    t = await setup();
    notifier = new RecordingNotifier();
    logs = [];
    tasks = createVerifyTasks({
      ...t,
      config,
      notifier,
      links: () => ({ publicUrl: 'https://sts.example.com', approvePage: true }),
      log: (line) => logs.push(line),
    });
  });

  async function waiting(): Promise<string> {
    const id = await t.request({ approvalsRequired: 1, reason: 'deploy' });
    await tasks.awaitApproval({ requestId: id, taskToken: 'TOKEN-NEVER-SENT' });
    return id;
  }

  it('announces a request that starts waiting, to its eligible approvers, with the links to decide', async () => {
    const id = await waiting();
    expect(notifier.sent).toEqual([
      expect.objectContaining({
        type: 'request.awaiting_approval',
        requestId: id,
        requester: 'alice',
        approvers: ['bob', 'carol', 'erin'],
        reason: 'deploy',
        approveUrl: `https://sts.example.com/approve/${id}`,
        approveCommand: `sts approve ${id} --endpoint https://sts.example.com --issuer example --account-name <you>`,
      }),
    ]);
    expect(JSON.stringify(notifier.sent)).not.toContain('TOKEN-NEVER-SENT');
  });

  it('tells them how it ended', async () => {
    const id = await waiting();
    await t.requests.transition(id, ['AWAITING_APPROVAL'], 'DENIED', { deniedBy: 'bob' });
    await tasks.recordOutcome({ requestId: id, status: 'DENIED' });
    expect(notifier.sent.map((n) => n.type)).toEqual(['request.awaiting_approval', 'request.denied']);
    expect(notifier.sent[1]).toMatchObject({ deniedBy: 'bob', approvers: ['bob', 'carol', 'erin'] });
  });

  it('tells them of the mint after the release, and nothing for a role that needed no approval', async () => {
    const id = await waiting();
    await t.requests.transition(id, ['AWAITING_APPROVAL'], 'MINTED', { approvedBy: 'bob' });
    await expect(tasks.notifyMinted({ requestId: id })).resolves.toEqual({ notified: true });
    expect(notifier.sent.map((n) => n.type)).toEqual(['request.awaiting_approval', 'request.minted']);
    const solo = await t.request({ status: 'MINTED', approvalsRequired: 0 });
    await expect(tasks.notifyMinted({ requestId: solo })).resolves.toEqual({ notified: false });
    expect(notifier.sent).toHaveLength(2);
  });

  it('says nothing about a request refused before it waited for anyone', async () => {
    const id = await t.request();
    await tasks.recordOutcome({ requestId: id, status: 'REJECTED', error: { Error: 'InvalidCredentialsError' } });
    expect(notifier.sent).toEqual([]);
  });

  it('never fails or holds up the request when the notifier fails: it logs, and the token is stored', async () => {
    notifier.failing = true;
    const id = await waiting();
    expect(t.requests.peek(id)).toMatchObject({ status: 'AWAITING_APPROVAL', taskToken: 'TOKEN-NEVER-SENT' });
    expect(logs).toEqual([
      {
        level: 'warn',
        msg: 'notification failed',
        type: 'request.awaiting_approval',
        requestId: id,
        error: 'WebhookError',
      },
    ]);
  });
});
