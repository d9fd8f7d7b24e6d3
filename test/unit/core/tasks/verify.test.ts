import { beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidCredentialsError,
  InvalidRequestError,
  LockedOutError,
  NotAnApproverError,
  NotFoundError,
  RoleNotPermittedError,
  SelfApprovalError,
} from '../../../../lambdas/core/errors.js';
import type { RequestStatus } from '../../../../lambdas/core/types.js';
import { eventOf, ISSUER, setup } from './fixture.js';

describe('verifyRequester', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it('waits for approval when the account has authorizers and no second code came', async () => {
    const id = await t.request();
    await expect(t.tasks.verifyRequester({ requestId: id, totpCode: t.code('alice') })).resolves.toEqual({
      next: 'awaitApproval',
    });
    expect(t.status(id)).toBe('VERIFYING');
  });

  it('goes to verifyApprover in single-shot, without checking the second code yet', async () => {
    const id = await t.request({ secondaryAccountName: 'bob' });
    const result = await t.tasks.verifyRequester({
      requestId: id,
      totpCode: t.code('alice'),
      secondaryAccountName: 'bob',
      secondaryTotpCode: '000000',
    });
    expect(result).toEqual({ next: 'verifyApprover' });
    expect(JSON.stringify(result)).not.toContain(t.code('alice'));
  });

  it('approves a single-factor account directly, ignoring any second code', async () => {
    const id = await t.request({ accountName: 'solo' });
    await expect(
      t.tasks.verifyRequester({ requestId: id, totpCode: t.code('solo'), secondaryTotpCode: '000000' }),
    ).resolves.toEqual({ next: 'mint' });
    expect(t.requests.peek(id)).toMatchObject({ status: 'APPROVED' });
    expect(t.requests.peek(id)?.approvedBy).toBeUndefined();
  });

  it('refuses a wrong or replayed requester code', async () => {
    const id = await t.request();
    await expect(t.tasks.verifyRequester({ requestId: id, totpCode: '000000' })).rejects.toThrow(
      InvalidCredentialsError,
    );
    const code = t.code('alice');
    await t.tasks.verifyRequester({ requestId: id, totpCode: code });
    const again = await t.request();
    await expect(t.tasks.verifyRequester({ requestId: again, totpCode: code })).rejects.toThrow(
      InvalidCredentialsError,
    );
  });

  it('refuses a locked requester without looking at the code', async () => {
    t.auth.peek(ISSUER, 'alice')!.lockedUntil = new Date(t.clock.now().getTime() + 60_000).toISOString();
    const id = await t.request();
    await expect(t.tasks.verifyRequester({ requestId: id, totpCode: t.code('alice') })).rejects.toThrow(LockedOutError);
    expect(t.cipher.decryptCalls).toBe(0);
  });

  it('refuses a role the account may not assume, but only after authentication', async () => {
    const id = await t.request({ role: 'root' });
    await expect(t.tasks.verifyRequester({ requestId: id, totpCode: '000000' })).rejects.toThrow(
      InvalidCredentialsError,
    );
    await expect(t.tasks.verifyRequester({ requestId: id, totpCode: t.code('alice') })).rejects.toThrow(
      RoleNotPermittedError,
    );
  });

  it('refuses a named approver who is not an authorizer, or the requester', async () => {
    const dave = await t.request({ secondaryAccountName: 'dave' });
    await expect(t.tasks.verifyRequester({ requestId: dave, totpCode: t.code('alice') })).rejects.toThrow(
      NotAnApproverError,
    );
    const self = await t.request({ secondaryAccountName: 'alice' });
    await expect(t.tasks.verifyRequester({ requestId: self, totpCode: t.code('alice', 1) })).rejects.toThrow(
      SelfApprovalError,
    );
  });

  it('refuses a second code when neither the request nor the execution names its approver', async () => {
    const id = await t.request();
    await expect(
      t.tasks.verifyRequester({ requestId: id, totpCode: t.code('alice'), secondaryTotpCode: '000000' }),
    ).rejects.toThrow('secondaryTotpCode needs secondaryAccountName.');
    expect(t.status(id)).toBe('VERIFYING');
  });

  it('refuses to wait for a named approver without a secret', async () => {
    const id = await t.request({ secondaryAccountName: 'erin' });
    await expect(t.tasks.verifyRequester({ requestId: id, totpCode: t.code('alice') })).rejects.toThrow(
      NotAnApproverError,
    );
  });

  it('refuses a request that is not VERIFYING', async () => {
    const id = await t.request({ status: 'AWAITING_APPROVAL' });
    await expect(t.tasks.verifyRequester({ requestId: id, totpCode: t.code('alice') })).rejects.toThrow(
      InvalidRequestError,
    );
  });

  it('answers not_found for a missing request', async () => {
    await expect(
      t.tasks.verifyRequester({ requestId: 'r_0123456789abcdefghjkmnpqrs', totpCode: t.code('alice') }),
    ).rejects.toThrow(NotFoundError);
  });
});

describe('verifyApprover', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it('approves with a listed approver', async () => {
    const id = await t.request({ secondaryAccountName: 'bob' });
    await expect(
      t.tasks.verifyApprover({ requestId: id, accountName: 'bob', totpCode: t.code('bob') }),
    ).resolves.toEqual({ next: 'mint', approvedBy: 'bob' });
    expect(t.requests.peek(id)).toMatchObject({
      status: 'APPROVED',
      approvedBy: 'bob',
      approvals: [{ accountName: 'bob', approvedAt: t.clock.now().toISOString() }],
    });
  });

  it.each([
    ['the requester', 'alice', SelfApprovalError],
    ['an account that is not an authorizer', 'dave', NotAnApproverError],
    ['an authorizer other than the named one', 'carol', NotAnApproverError],
  ] as const)('refuses %s', async (_label, approver, ErrorClass) => {
    const id = await t.request({ secondaryAccountName: 'bob' });
    await expect(
      t.tasks.verifyApprover({ requestId: id, accountName: approver, totpCode: t.code(approver) }),
    ).rejects.toThrow(ErrorClass);
    expect(t.status(id)).toBe('VERIFYING');
  });

  it.each([
    ['unknown', 'zed'],
    ['secretless', 'erin'],
  ])('answers invalid_credentials for an %s approver', async (_label, approver) => {
    const id = await t.request({ secondaryAccountName: approver });
    await expect(
      t.tasks.verifyApprover({ requestId: id, accountName: approver, totpCode: t.code('bob') }),
    ).rejects.toThrow(InvalidCredentialsError);
  });

  it('refuses a wrong approver code', async () => {
    const id = await t.request({ secondaryAccountName: 'bob' });
    await expect(t.tasks.verifyApprover({ requestId: id, accountName: 'bob', totpCode: '000000' })).rejects.toThrow(
      InvalidCredentialsError,
    );
  });
});

describe('awaitApproval', () => {
  it('stores the task token and waits; a retry replaces the token', async () => {
    const t = await setup();
    const id = await t.request();
    const result = await t.tasks.awaitApproval({ requestId: id, taskToken: 'secret-token-1' });
    expect(result).toEqual({ stored: true });
    expect(t.requests.peek(id)).toMatchObject({ status: 'AWAITING_APPROVAL', taskToken: 'secret-token-1' });
    await t.tasks.awaitApproval({ requestId: id, taskToken: 'secret-token-2' });
    expect(t.requests.peek(id)?.taskToken).toBe('secret-token-2');
  });
});

describe('recordOutcome', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it.each([
    ['REJECTED', 'InvalidCredentialsError', 'invalid_credentials', 'The account name or TOTP code is not valid.'],
    ['REJECTED', 'LockedOutError', 'locked_out', 'Too many failed attempts: the account is locked for 15 minutes.'],
    ['REJECTED', 'NotAnApproverError', 'not_an_approver', 'This account may not approve this request.'],
    [
      'REJECTED',
      'SelfApprovalError',
      'self_approval',
      'A request cannot be approved or denied by the account that made it.',
    ],
    ['REJECTED', 'RoleNotPermittedError', 'role_not_permitted', 'This account may not assume that role.'],
    ['REJECTED', 'InvalidRequestError', 'invalid_request', 'The request is not valid.'],
    ['REJECTED', 'Something.Else', 'internal', 'The request could not be verified.'],
    ['EXPIRED', 'States.Timeout', 'expired', 'This request has expired.'],
    ['EXPIRED', undefined, 'expired', 'This request has expired.'],
    ['FAILED', 'StsFailedError', 'sts_failed', 'STS could not mint the credentials; no credentials were released.'],
    [
      'FAILED',
      'SNS.AmazonSNSException',
      'audit_failed',
      'The audit event could not be published; no credentials were released.',
    ],
    ['FAILED', 'Lambda.ServiceException', 'internal', 'Minting or auditing failed; no credentials were released.'],
    ['FAILED', 'States.TaskFailed', 'internal', 'Minting or auditing failed; no credentials were released.'],
    ['FAILED', undefined, 'internal', 'Minting or auditing failed; no credentials were released.'],
  ] as const)('%s with %s records %s', async (status, name, code, message) => {
    const id = await t.request({ status: 'AWAITING_APPROVAL', taskToken: 'tok' });
    const error =
      name === undefined ? undefined : { Error: name, Cause: 'Error: secret detail\n    at stack (x.js:1:1)' };
    const { audit } = await t.tasks.recordOutcome({ requestId: id, status, error });
    const record = t.requests.peek(id)!;
    expect(record.status).toBe(status);
    expect(record.error).toEqual({ code, message });
    expect(record.taskToken).toBeUndefined();
    expect(audit.subject).toBe(`Credentials Request ${status[0]}${status.slice(1).toLowerCase()}`);
    expect(eventOf(audit)).toMatchObject({
      type: `request.${status.toLowerCase()}`,
      requestId: id,
      issuer: ISSUER,
      accountName: 'alice',
      error: { code, message },
    });
    expect(JSON.stringify(record) + JSON.stringify(audit)).not.toContain('secret detail');
  });

  it('records a denial without an error, with who denied and why', async () => {
    const id = await t.request({ status: 'DENIED', deniedBy: 'bob', denialReason: 'no', taskToken: 'tok' });
    const { audit } = await t.tasks.recordOutcome({ requestId: id, status: 'DENIED', error: { Error: 'Denied' } });
    expect(t.requests.peek(id)?.error).toBeUndefined();
    expect(t.requests.peek(id)?.taskToken).toBeUndefined();
    expect(JSON.parse(audit.message).email).toContain('\nDenied By: bob\nDenial Reason: no\n');
    expect(eventOf(audit)).toEqual({
      type: 'request.denied',
      at: '2030-01-01T00:00:10.000Z',
      issuer: ISSUER,
      accountName: 'alice',
      requestId: id,
      role: 'admin',
      deniedBy: 'bob',
      reason: 'no',
    });
  });

  it.each(['VERIFYING', 'AWAITING_APPROVAL', 'APPROVED'] as RequestStatus[])('closes a %s request', async (from) => {
    const id = await t.request({ status: from });
    await t.tasks.recordOutcome({ requestId: id, status: 'EXPIRED' });
    expect(t.status(id)).toBe('EXPIRED');
  });

  it('is idempotent, and leaves an already finished request as it is', async () => {
    const id = await t.request({ status: 'AWAITING_APPROVAL' });
    await t.tasks.recordOutcome({ requestId: id, status: 'EXPIRED' });
    await t.tasks.recordOutcome({ requestId: id, status: 'EXPIRED' });
    expect(t.status(id)).toBe('EXPIRED');
    const minted = await t.request({ status: 'MINTED' });
    const { audit } = await t.tasks.recordOutcome({ requestId: minted, status: 'FAILED' });
    expect(t.status(minted)).toBe('MINTED');
    expect(eventOf(audit).type).toBe('request.minted');
  });
});
