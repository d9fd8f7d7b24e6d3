import { describe, expect, it } from 'vitest';
import { auditEmail, auditMessage, auditSubject, printable } from '../../../lambdas/core/audit-message.js';
import type { AuditEvent } from '../../../lambdas/core/types.js';

const ID = 'r_0123456789abcdefghjkmnpqrs';
const base = { at: '2030-01-01T00:00:10.000Z', issuer: 'Some Account', accountName: 'alice', requestId: ID };
const minted: AuditEvent = {
  ...base,
  type: 'request.minted',
  role: 'Admin',
  roleArn: 'arn:aws:iam::123456789012:role/Admin',
  approvedBy: ['bob'],
  reason: 'deploy hotfix',
  expiration: '2030-01-01T01:00:10.000Z',
};
const events: Record<AuditEvent['type'], AuditEvent> = {
  'request.approved': {
    ...base,
    type: 'request.approved',
    role: 'BreakGlass',
    approvedBy: ['bob'],
    approvalCount: 1,
    approvalsRequired: 2,
  },
  'request.minted': minted,
  'request.denied': {
    ...base,
    type: 'request.denied',
    role: 'Admin',
    deniedBy: 'bob',
    reason: 'not during the freeze',
  },
  'request.expired': {
    ...base,
    type: 'request.expired',
    role: 'Admin',
    error: { code: 'expired', message: 'This request has expired.' },
  },
  'request.rejected': {
    ...base,
    type: 'request.rejected',
    role: 'Admin',
    error: { code: 'invalid_credentials', message: 'The account name or TOTP code is not valid.' },
  },
  'request.failed': {
    ...base,
    type: 'request.failed',
    role: 'Admin',
    approvedBy: ['bob'],
    error: { code: 'sts_failed', message: 'STS could not mint the credentials (AccessDenied).' },
  },
  'account.locked': {
    type: 'account.locked',
    at: base.at,
    issuer: 'acme',
    accountName: 'mallory',
    reason: '5 consecutive failed attempts; locked until 2030-01-01T00:15:10.000Z',
  },
};

describe('auditSubject', () => {
  it("keeps STSFTW 1.0's subject for a mint", () => {
    expect(auditSubject(minted)).toBe('Credentials Minted For Account');
  });

  it.each(Object.values(events))('gives $type its own subject that SNS accepts', (event) => {
    const subject = auditSubject(event);
    // SNS: printable ASCII, no line breaks or control characters, under 100 characters.
    expect(subject).toMatch(/^[\x21-\x7e][\x20-\x7e]*$/);
    expect(subject.length).toBeLessThan(100);
  });

  it('gives every event type a different subject', () => {
    const subjects = Object.values(events).map(auditSubject);
    expect(new Set(subjects).size).toBe(subjects.length);
    expect(subjects).toEqual([
      'Credentials Request Approval Counted',
      'Credentials Minted For Account',
      'Credentials Request Denied',
      'Credentials Request Expired',
      'Credentials Request Rejected',
      'Credentials Request Failed',
      'Account Locked After Failed Codes',
    ]);
  });

  it('has a subject even for a type it does not know (never a failed publish)', () => {
    expect(auditSubject({ type: 'request.other\n' as AuditEvent['type'] })).toBe('STSFTW Audit Event');
  });
});

describe('auditEmail', () => {
  it('names issuer, account, role, approver, request id, reason and expiry of a mint, like 1.0 did', () => {
    expect(auditEmail(minted)).toBe(
      [
        'STSFTW has minted STS credentials for an account.',
        '',
        'Issuer: Some Account',
        'Account Name: alice',
        'AWS Role: Admin',
        'Role ARN: arn:aws:iam::123456789012:role/Admin',
        'Approved By: bob',
        'Reason: deploy hotfix',
        'Expires: 2030-01-01T01:00:10.000Z',
        `Request ID: ${ID}`,
        'Time: 2030-01-01T00:00:10.000Z',
        '',
      ].join('\n'),
    );
  });

  it('says when a mint needed no approver', () => {
    expect(auditEmail({ ...minted, approvedBy: [] })).toContain('\nApproved By: none (the role needs no approval)\n');
  });

  it('lists every approver of a quorum, and the count of a counted approval', () => {
    expect(auditEmail({ ...minted, approvedBy: ['bob', 'Carol Smith'] })).toContain(
      '\nApproved By: bob, Carol Smith\n',
    );
    const approved = auditEmail({
      ...base,
      type: 'request.approved',
      approvedBy: ['bob'],
      approvalCount: 1,
      approvalsRequired: 2,
    });
    expect(approved).toContain('counted an approval');
    expect(approved).toContain('\nApprovals: 1 of 2\n');
  });

  it('names the denier and the denial reason', () => {
    const text = auditEmail(events['request.denied']);
    expect(text).toMatch(/^STSFTW: the approver denied a request for STS credentials; none were issued\.\n/);
    expect(text).toContain('\nDenied By: bob\n');
    expect(text).toContain('\nDenial Reason: not during the freeze\n');
  });

  it.each([
    ['request.expired', 'Error: expired (This request has expired.)'],
    ['request.rejected', 'Error: invalid_credentials (The account name or TOTP code is not valid.)'],
    ['request.failed', 'Error: sts_failed (STS could not mint the credentials (AccessDenied).)'],
  ] as const)('names the error of %s', (type, line) => {
    const text = auditEmail(events[type]);
    expect(text).toContain(`\n${line}\n`);
    expect(text).toContain(`\nRequest ID: ${ID}\n`);
    expect(text).toContain('\nIssuer: Some Account\nAccount Name: alice\nAWS Role: Admin\n');
  });

  it('tells a lockout with its reason', () => {
    expect(auditEmail(events['account.locked'])).toBe(
      [
        'STSFTW locked an account after repeated failed TOTP codes.',
        '',
        'Issuer: acme',
        'Account Name: mallory',
        'Reason: 5 consecutive failed attempts; locked until 2030-01-01T00:15:10.000Z',
        'Time: 2030-01-01T00:00:10.000Z',
        '',
      ].join('\n'),
    );
  });

  it('renders only the fields of an event: nothing else that reaches it is shown', () => {
    const smuggled = { ...minted, SecretAccessKey: 'fake-secret', SessionToken: 'fake-token', totpCode: '975310' };
    const text = auditEmail(smuggled as AuditEvent);
    for (const secret of ['fake-secret', 'fake-token', '975310']) expect(text).not.toContain(secret);
  });

  it('keeps names from forging lines: control characters become ?', () => {
    const text = auditEmail({ ...minted, accountName: 'eve\nApproved By: ceo', reason: 'x\r\n\u001b[2J' });
    expect(text).toContain('\nAccount Name: eve?Approved By: ceo\n');
    expect(text).toContain('\nReason: x???[2J\n');
    expect(text.match(/^Approved By:/gm)).toHaveLength(1);
  });
});

describe('auditMessage', () => {
  it.each(Object.values(events))(
    'is an SNS MessageStructure json message for $type: default = the JSON event, email = the text',
    (event) => {
      const message = auditMessage(event);
      expect(message.type).toBe(event.type);
      expect(message.subject).toBe(auditSubject(event));
      const parsed = JSON.parse(message.message);
      expect(Object.keys(parsed).sort()).toEqual(['default', 'email']);
      expect(JSON.parse(parsed.default)).toEqual(event);
      expect(parsed.email).toBe(auditEmail(event));
    },
  );
});

describe('printable', () => {
  it('replaces C0, DEL and C1 control characters and keeps the rest', () => {
    expect(printable('a\u0000b\u007fc\u0085d é → ✓')).toBe('a?b?c?d é → ✓');
  });
});
