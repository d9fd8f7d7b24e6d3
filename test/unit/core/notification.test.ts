import { describe, expect, it } from 'vitest';
import { verificationCode } from '../../../lambdas/core/ids.js';
import {
  approveCommandFor,
  awaitingNotification,
  endedNotification,
  notificationText,
} from '../../../lambdas/core/notification.js';
import type { RequestRecord } from '../../../lambdas/core/types.js';

const record: RequestRecord = {
  id: 'r_0123456789abcdefghjkmnpqrs',
  status: 'AWAITING_APPROVAL',
  issuer: 'Some Account',
  accountName: 'alice',
  role: 'BreakGlass',
  durationSeconds: 3600,
  publicKey: 'cHVibGljLWtleS1vZi10aGUtcmVxdWVzdGVyLTMyYg',
  reason: 'incident 42',
  taskToken: 'TASK-TOKEN-SECRET',
  approvalsRequired: 2,
  approvals: [{ accountName: 'sec1', approvedAt: '2030-01-01T00:00:05.000Z' }],
  approvedBy: 'sec1',
  sealedCredentials: { enc: 'ENC-SECRET', ciphertext: 'CIPHER-SECRET' },
  createdAt: '2030-01-01T00:00:00.000Z',
  decisionDeadline: '2030-01-01T00:15:00.000Z',
  expiresAt: 1_900_000_000,
};
const at = new Date('2030-01-01T00:00:06.000Z');
const links = { publicUrl: 'http://127.0.0.1:8787', approvePage: true };

describe('awaitingNotification', () => {
  it('carries what an approver needs to decide, and the links to do it', () => {
    const n = awaitingNotification(record, ['sec1', 'sec2', 'sec3'], links, at);
    expect(n).toEqual({
      type: 'request.awaiting_approval',
      at: at.toISOString(),
      requestId: record.id,
      issuer: 'Some Account',
      requester: 'alice',
      role: 'BreakGlass',
      reason: 'incident 42',
      durationSeconds: 3600,
      verificationCode: verificationCode(record.id, record.publicKey),
      decisionDeadline: record.decisionDeadline,
      approvers: ['sec1', 'sec2', 'sec3'],
      approvalsRequired: 2,
      approvedBy: ['sec1'],
      approveUrl: `http://127.0.0.1:8787/approve/${record.id}`,
      approveCommand: `sts approve ${record.id} --endpoint http://127.0.0.1:8787 --issuer 'Some Account' --account-name <you>`,
    });
  });

  it('never holds the task token, the sealed credentials or the public key', () => {
    const json = JSON.stringify(awaitingNotification(record, ['sec1'], links, at));
    for (const secret of ['TASK-TOKEN-SECRET', 'ENC-SECRET', 'CIPHER-SECRET', record.publicKey]) {
      expect(json).not.toContain(secret);
    }
  });

  it('leaves the page out when the broker does not know its address or serves no page', () => {
    expect(awaitingNotification(record, [], { publicUrl: links.publicUrl }, at).approveUrl).toBeUndefined();
    const n = awaitingNotification(record, [], {}, at);
    expect(n.approveUrl).toBeUndefined();
    expect(n.approveCommand).toBe(`sts approve ${record.id} --issuer 'Some Account' --account-name <you>`);
  });
});

describe('approveCommandFor', () => {
  it('quotes an issuer with a quote in it so the line runs as printed', () => {
    expect(approveCommandFor({ id: 'r_1', issuer: "O'Brien Ltd" }, {})).toBe(
      `sts approve r_1 --issuer 'O'\\''Brien Ltd' --account-name <you>`,
    );
  });
});

describe('notificationText', () => {
  it('reads as one paragraph with the code, the quorum, the deadline and both ways to decide', () => {
    const text = notificationText(awaitingNotification(record, ['sec1', 'sec2', 'sec3'], links, at));
    expect(text).toContain('alice (Some Account) asks for BreakGlass for 1 h. Reason: "incident 42".');
    expect(text).toContain(`Verification code ${verificationCode(record.id, record.publicKey)}.`);
    expect(text).toContain('Needs 2 approvals from sec1, sec2, sec3 by 2030-01-01T00:15:00.000Z.');
    expect(text).toContain('Approved so far by sec1.');
    expect(text).toContain(`http://127.0.0.1:8787/approve/${record.id} or \`sts approve ${record.id}`);
    expect(text).not.toContain('\n');
  });

  it('makes control characters in user input printable', () => {
    const text = notificationText(awaitingNotification({ ...record, reason: 'evil\n\u001b[2Jline' }, [], links, at));
    expect([...text].some((ch) => ch.charCodeAt(0) < 0x20)).toBe(false);
    expect(text).toContain('evil??[2Jline');
  });

  it('says how a request ended', () => {
    const denied = endedNotification({ ...record, status: 'DENIED', deniedBy: 'sec2' }, ['sec1'], links, at);
    expect(denied).toMatchObject({ type: 'request.denied', deniedBy: 'sec2', approvedBy: ['sec1'] });
    expect(notificationText(denied)).toBe(
      `alice (Some Account)'s request for BreakGlass was denied by sec2 (request ${record.id}).`,
    );
    const failed = endedNotification(
      { ...record, status: 'FAILED', error: { code: 'sts_failed', message: 'STS said no.' } },
      [],
      links,
      at,
    );
    expect(notificationText(failed)).toContain('ended failed (sts_failed)');
    expect(notificationText(endedNotification({ ...record, status: 'EXPIRED' }, [], links, at))).toContain(
      'expired before enough approvers decided',
    );
  });
});
