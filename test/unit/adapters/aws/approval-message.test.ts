import { describe, expect, it } from 'vitest';
import {
  approvalEmail,
  approvalMessage,
  approvalSubject,
  MAX_PUBLISH_BYTES,
  NotificationTooLargeError,
  publishBytes,
  recipients,
} from '../../../../lambdas/adapters/aws/approval-message.js';
import { chatEscape } from '../../../../lambdas/adapters/aws/chatbot-notification.js';
import { MAX_NAME_LENGTH } from '../../../../lambdas/core/entries.js';
import { awaitingNotification, endedNotification, type Notification } from '../../../../lambdas/core/notification.js';
import { MAX_REASON_LENGTH } from '../../../../lambdas/core/text.js';
import type { RequestRecord } from '../../../../lambdas/core/types.js';

const record: RequestRecord = {
  id: 'r_0123456789abcdefghjkmnpqrs',
  status: 'AWAITING_APPROVAL',
  issuer: 'acme',
  accountName: 'alice',
  role: 'arn:aws:iam::123456789012:role/stsftw/stsftw-admin',
  durationSeconds: 3600,
  publicKey: 'cHVibGljLWtleS1vZi10aGUtcmVxdWVzdGVyLTMyYg',
  reason: 'incident 42',
  approvalsRequired: 1,
  createdAt: '2030-01-01T00:00:00.000Z',
  decisionDeadline: '2030-01-01T00:15:00.000Z',
  expiresAt: 1_900_000_000,
};
const at = new Date('2030-01-01T00:00:06.000Z');
const links = { publicUrl: 'https://sts.example.com', approvePage: true };
const waiting = awaitingNotification(record, ['bob', 'carol'], links, at);

describe('recipients', () => {
  it('names the eligible approvers and then the requester, as issuer/account, each once', () => {
    expect(recipients(waiting)).toEqual(['acme/bob', 'acme/carol', 'acme/alice']);
    expect(recipients({ issuer: 'acme', approvers: ['bob', 'alice'], requester: 'alice' })).toEqual([
      'acme/bob',
      'acme/alice',
    ]);
    // A requester whose rule lists nobody any more is still told.
    expect(recipients({ issuer: 'acme', approvers: [], requester: 'alice' })).toEqual(['acme/alice']);
  });
});

describe('approvalSubject', () => {
  it('says what is asked, with the short role name', () => {
    expect(approvalSubject(waiting)).toBe('STSFTW approval needed: alice asks for stsftw-admin');
  });

  it.each([
    ['DENIED', 'STSFTW denied: alice, stsftw-admin'],
    ['EXPIRED', 'STSFTW expired: alice, stsftw-admin'],
    ['MINTED', 'STSFTW approved: alice, stsftw-admin'],
    ['FAILED', 'STSFTW failed: alice, stsftw-admin'],
    ['REJECTED', 'STSFTW rejected: alice, stsftw-admin'],
  ] as const)('names the end of a request %s', (status, subject) => {
    expect(approvalSubject(endedNotification({ ...record, status }, ['bob'], links, at))).toBe(subject);
  });

  it('is printable ASCII without line breaks and at most 100 characters, whatever the names', () => {
    const long = 'ä'.repeat(MAX_NAME_LENGTH);
    const subject = approvalSubject({ ...waiting, requester: `x\r\ny\u2028${long}`, role: 'r'.repeat(64) });
    expect(subject).toMatch(/^[\x20-\x7e]{1,100}$/);
    expect(subject).toHaveLength(100);
    expect(subject.endsWith('...')).toBe(true);
    expect(subject.startsWith('STSFTW approval needed: x??y??')).toBe(true);
  });
});

describe('approvalEmail', () => {
  it('is the readable paragraph and one line per field, with the links to decide', () => {
    const email = approvalEmail(waiting);
    expect(email.split('\n')[0]).toContain('alice (acme) asks for arn:aws:iam::123456789012:role/stsftw/stsftw-admin');
    expect(email).toContain(
      [
        '',
        `Request ID: ${record.id}`,
        'Issuer: acme',
        'Requester: alice',
        `AWS Role: ${record.role}`,
        'Reason: incident 42',
        'Duration: 3600 seconds',
        `Verification Code: ${waiting.verificationCode}`,
        'Decision Deadline: 2030-01-01T00:15:00.000Z',
        'Approvers: bob, carol',
        'Approvals: 0 of 1',
        `Decide At: https://sts.example.com/approve/${record.id}`,
        `Decide With: sts approve ${record.id} --endpoint https://sts.example.com --issuer acme --account-name <you>`,
        'Time: 2030-01-01T00:00:06.000Z',
        '',
      ].join('\n'),
    );
  });

  it('says how a request ended, without links to decide', () => {
    const email = approvalEmail(
      endedNotification({ ...record, status: 'DENIED', deniedBy: 'bob', approvals: [] }, ['bob'], links, at),
    );
    expect(email).toContain('\nDenied By: bob\n');
    expect(email).not.toContain('Decide');
    expect(email).not.toContain('Decision Deadline');
  });

  it('cannot be given extra lines by a reason or a name', () => {
    const email = approvalEmail({ ...waiting, reason: 'ok\nApproved By: mallory', requester: 'eve\r\nBcc: x' });
    expect(email).toContain('\nReason: ok?Approved By: mallory\n');
    expect(email).toContain('\nRequester: eve??Bcc: x\n');
    expect(email).not.toMatch(/^Approved By/m);
  });
});

describe('approvalMessage', () => {
  it('gives every protocol its body: the JSON event by default, text by e-mail, the Chatbot shape over https', () => {
    const built = approvalMessage(waiting);
    const bodies = JSON.parse(built.message);
    expect(Object.keys(bodies).sort()).toEqual(['default', 'email', 'https']);
    expect(JSON.parse(bodies.default)).toEqual(waiting);
    expect(bodies.email).toBe(approvalEmail(waiting));
    const chat = JSON.parse(bodies.https);
    expect(chat).toEqual({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: built.subject, description: expect.any(String) },
      metadata: { threadId: record.id, summary: built.subject, eventType: 'request.awaiting_approval' },
    });
    expect(chat.content.description).toContain(`https://sts.example.com/approve/${record.id}`);
    expect(chat.content.description).toContain('--account-name &lt;you&gt;');
    expect(built.attributes).toEqual({
      approvers: { DataType: 'String.Array', StringValue: '["acme/bob","acme/carol","acme/alice"]' },
      event_type: { DataType: 'String', StringValue: 'request.awaiting_approval' },
    });
  });

  it('keeps a reason from pinging a channel or hiding a link in chat', () => {
    const chat = JSON.parse(
      JSON.parse(approvalMessage({ ...waiting, reason: '<!channel> <https://evil.example|docs> & co' }).message).https,
    );
    expect(chat.content.description).toContain('&lt;!channel&gt; &lt;https://evil.example|docs&gt; &amp; co');
    expect(chat.content.description).not.toMatch(/<[!h]/);
    expect(chatEscape('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('fits in one publish even at the limits the broker allows (100 approvers, longest names and reason)', () => {
    // Four-byte characters: the worst case for UTF-8 and for JSON escaping is a quote or backslash (2 bytes).
    const name = (i: number) => `${String(i).padStart(3, '0')}${'𝔞'.repeat(MAX_NAME_LENGTH - 3)}`;
    const worst: Notification = {
      ...waiting,
      issuer: '"'.repeat(MAX_NAME_LENGTH),
      requester: name(999),
      role: `arn:aws:iam::123456789012:role/${'p/'.repeat(900)}x`,
      reason: '"'.repeat(MAX_REASON_LENGTH),
      approvers: Array.from({ length: 100 }, (_, i) => name(i)),
      approvedBy: Array.from({ length: 5 }, (_, i) => name(i)),
    };
    const built = approvalMessage(worst);
    // About 160 KB: the three bodies each list the approvers, the attribute once more.
    expect(publishBytes(built)).toBeLessThan(MAX_PUBLISH_BYTES);
    expect(JSON.parse(built.attributes.approvers.StringValue)).toHaveLength(101);
  });

  it('refuses, before SNS would, a message over 256 KB', () => {
    const huge = { ...waiting, approvers: Array.from({ length: 3000 }, (_, i) => `approver-${i}-${'x'.repeat(40)}`) };
    expect(() => approvalMessage(huge)).toThrow(NotificationTooLargeError);
    expect(() => approvalMessage(huge)).toThrow(/bytes, more than the 262144 SNS accepts/);
  });
});
