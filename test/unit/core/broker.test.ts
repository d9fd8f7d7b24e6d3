import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type BrokerConfig, createBroker } from '../../../lambdas/core/broker.js';
import {
  AlreadyDecidedError,
  ConflictError,
  ExpiredError,
  InternalError,
  InvalidCredentialsError,
  InvalidRequestError,
  NotAnApproverError,
  NotFoundError,
  SelfApprovalError,
} from '../../../lambdas/core/errors.js';
import { verificationCode } from '../../../lambdas/core/ids.js';
import { generateKeyPair } from '../../../lambdas/core/sealing.js';
import { enroll, memoryPorts, rejection, totpCode } from '../../support/memory.js';

const ISSUER = 'example';
const config: BrokerConfig = {
  partition: 'aws',
  approvalTimeoutSeconds: 900,
  maxSessionSeconds: 3600,
  requestRetentionSeconds: 86_400,
};

async function setup() {
  const ports = memoryPorts('2030-01-01T00:00:10.000Z');
  const broker = createBroker({ ...ports, config });
  const urls = {
    alice: await enroll(ports.auth, ports.cipher, {
      issuer: ISSUER,
      accountName: 'alice',
      roles: ['admin'],
      secondaryAuthorization: ['bob', 'carol', 'erin', 'zed'],
    }),
    bob: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'bob' }),
    carol: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'carol' }),
    dave: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'dave' }),
    erin: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'erin' }, { secret: null }),
  };
  const code = (who: keyof typeof urls, offset = 0) => totpCode(urls[who], ports.clock.now(), offset);
  const { publicKey } = await generateKeyPair();
  const base = { issuer: ISSUER, accountName: 'alice', role: 'admin', publicKey };

  /** A request that the workflow has moved to AWAITING_APPROVAL with a task token. */
  async function waiting(extra: { secondaryAccountName?: string } = {}) {
    const { id } = await broker.createRequest({ ...base, totpCode: code('alice'), ...extra });
    await ports.requests.transition(id, ['VERIFYING'], 'AWAITING_APPROVAL', { taskToken: `token-${id}` });
    return id;
  }
  return { ...ports, broker, code, publicKey, base, waiting };
}

describe('createRequest', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it('stores a VERIFYING request, starts its workflow and answers with the verification code', async () => {
    const totp = t.code('alice');
    const answer = await t.broker.createRequest({
      ...t.base,
      totpCode: totp,
      durationSeconds: 1800,
      reason: ' deploy ',
    });
    expect(answer).toEqual({
      id: expect.stringMatching(/^r_[0-9a-z]{26}$/),
      status: 'VERIFYING',
      verificationCode: verificationCode(answer.id, t.publicKey),
      decisionDeadline: '2030-01-01T00:15:10.000Z',
    });
    expect(t.requests.peek(answer.id)).toEqual({
      id: answer.id,
      status: 'VERIFYING',
      issuer: ISSUER,
      accountName: 'alice',
      role: 'admin',
      durationSeconds: 1800,
      publicKey: t.publicKey,
      reason: 'deploy',
      createdAt: '2030-01-01T00:00:10.000Z',
      decisionDeadline: '2030-01-01T00:15:10.000Z',
      expiresAt: Date.parse('2030-01-01T00:15:10.000Z') / 1000 + 86_400,
    });
    expect(t.workflow.starts).toEqual([{ requestId: answer.id, totpCode: totp, approvalTimeoutSeconds: 900 }]);
    // The code is not checked by the API (the workflow does it), so nothing was consumed.
    expect(t.auth.peek(ISSUER, 'alice')?.lastStep).toBeUndefined();
  });

  it('passes the single-shot approver and code to the workflow', async () => {
    const { id } = await t.broker.createRequest({
      ...t.base,
      totpCode: t.code('alice'),
      secondaryAccountName: 'bob',
      secondaryTotpCode: t.code('bob'),
    });
    expect(t.workflow.starts[0]).toEqual({
      requestId: id,
      totpCode: t.code('alice'),
      secondaryAccountName: 'bob',
      secondaryTotpCode: t.code('bob'),
      approvalTimeoutSeconds: 900,
    });
    expect(t.requests.peek(id)?.secondaryAccountName).toBe('bob');
  });

  it.each([
    ['grouped as apps show it', (c: string) => `${c.slice(0, 3)} ${c.slice(3)}`],
    ['with surrounding spaces', (c: string) => `  ${c} `],
  ])('accepts codes typed %s, and hands the workflow the six digits', async (_label, typed) => {
    const { id } = await t.broker.createRequest({
      ...t.base,
      totpCode: typed(t.code('alice')),
      secondaryAccountName: 'bob',
      secondaryTotpCode: typed(t.code('bob')),
    });
    expect(t.workflow.starts[0]).toMatchObject({
      requestId: id,
      totpCode: t.code('alice'),
      secondaryTotpCode: t.code('bob'),
    });
  });

  it('defaults the duration to one hour', async () => {
    const { id } = await t.broker.createRequest({ ...t.base, totpCode: t.code('alice') });
    expect(t.requests.peek(id)?.durationSeconds).toBe(3600);
  });

  it.each([
    ['a bad issuer', { issuer: 'a b ' }],
    ['a bad account name', { accountName: '' }],
    ['a bad role', { role: 'arn:aws:iam::1:role/x' }],
    ['a short public key', { publicKey: 'AAAA' }],
    ['a low-order public key (nothing can be sealed to it)', { publicKey: Buffer.alloc(32).toString('base64url') }],
    ['a 5-digit code', { totpCode: '12345' }],
    ['a non-digit code', { totpCode: '12345x' }],
    ['a too short duration', { durationSeconds: 899 }],
    ['a too long duration', { durationSeconds: 3601 }],
    ['a too long reason', { reason: 'x'.repeat(513) }],
    ['a reason with control characters', { reason: 'ok\u001b[2J' }],
    ['a bad approver name', { secondaryAccountName: 'b\tb' }],
    ['a secondary code without approver', { secondaryTotpCode: '123456' }],
    ['a malformed secondary code', { secondaryAccountName: 'bob', secondaryTotpCode: '1234' }],
  ])('refuses %s', async (_label, change) => {
    await expect(t.broker.createRequest({ ...t.base, totpCode: '123456', ...change })).rejects.toThrow(
      InvalidRequestError,
    );
    expect(t.requests.records.size).toBe(0);
    expect(t.workflow.starts).toEqual([]);
  });

  it('accepts a reason of exactly 512 characters', async () => {
    const { id } = await t.broker.createRequest({ ...t.base, totpCode: '123456', reason: 'é'.repeat(512) });
    expect(t.requests.peek(id)?.reason).toBe('é'.repeat(512));
  });

  it('refuses naming the requester as the approver', async () => {
    await expect(
      t.broker.createRequest({ ...t.base, totpCode: '123456', secondaryAccountName: 'alice' }),
    ).rejects.toThrow(SelfApprovalError);
  });

  it('marks the request FAILED when the workflow cannot start', async () => {
    t.workflow.failNext('start', new InternalError('Starting the approval workflow failed (Throttling).'));
    await expect(t.broker.createRequest({ ...t.base, totpCode: '123456' })).rejects.toThrow(InternalError);
    const [record] = t.requests.records.values();
    expect(record.status).toBe('FAILED');
    expect(record.error?.code).toBe('internal');
  });
});

describe('getRequest', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it('shows the request without task token or public key', async () => {
    const id = await t.waiting();
    const view = await t.broker.getRequest(id);
    expect(view).toEqual({
      id,
      status: 'AWAITING_APPROVAL',
      issuer: ISSUER,
      accountName: 'alice',
      role: 'admin',
      secondaryAccountName: null,
      reason: null,
      durationSeconds: 3600,
      createdAt: '2030-01-01T00:00:10.000Z',
      decisionDeadline: '2030-01-01T00:15:10.000Z',
      approvedBy: null,
      approvalsRequired: 1,
      approvals: [],
      deniedBy: null,
      denialReason: null,
      verificationCode: verificationCode(id, t.publicKey),
      error: null,
    });
    expect(JSON.stringify(view)).not.toContain('token-');
    expect(JSON.stringify(view)).not.toContain(t.publicKey);
  });

  it('includes the sealed credentials only once MINTED', async () => {
    const id = await t.waiting();
    const sealed = { enc: 'ENC', ciphertext: 'CT' };
    await t.requests.transition(id, ['AWAITING_APPROVAL'], 'APPROVED', {
      approvedBy: 'bob',
      sealedCredentials: sealed,
      expiration: '2030-01-01T01:00:00.000Z',
    });
    expect((await t.broker.getRequest(id)).credentials).toBeUndefined();
    await t.requests.transition(id, ['APPROVED'], 'MINTED', { taskToken: null });
    expect((await t.broker.getRequest(id)).credentials).toEqual({ sealed, expiration: '2030-01-01T01:00:00.000Z' });
  });

  it('shows a stored error', async () => {
    const id = await t.waiting();
    await t.requests.transition(id, ['AWAITING_APPROVAL'], 'REJECTED', {
      error: { code: 'invalid_credentials', message: 'm' },
    });
    expect((await t.broker.getRequest(id)).error).toEqual({ code: 'invalid_credentials', message: 'm' });
  });

  it.each(['r_0123456789abcdefghjkmnpqrs', 'nonsense', ''])('answers NotFoundError for %j', async (id) => {
    await expect(t.broker.getRequest(id)).rejects.toThrow(NotFoundError);
  });

  it('answers NotFoundError past the retention time', async () => {
    const id = await t.waiting();
    t.clock.advance(900 + 86_400 + 1); // past expires_at, as the DynamoDB adapter reads it
    await expect(t.broker.getRequest(id)).rejects.toThrow(NotFoundError);
  });
});

describe('approve and deny', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it('approves: transition, then SendTaskSuccess with the approver', async () => {
    const id = await t.waiting();
    await expect(t.broker.approve(id, { accountName: 'bob', totpCode: t.code('bob') })).resolves.toEqual({
      id,
      status: 'APPROVED',
      approvalsRemaining: 0,
    });
    expect(t.requests.peek(id)).toMatchObject({ status: 'APPROVED', approvedBy: 'bob' });
    expect(t.workflow.approvals).toEqual([{ taskToken: `token-${id}`, output: { approvedBy: 'bob' } }]);
  });

  it('approves with a code typed as apps show it (123 456)', async () => {
    const id = await t.waiting();
    const code = t.code('bob');
    await expect(
      t.broker.approve(id, { accountName: 'bob', totpCode: ` ${code.slice(0, 3)} ${code.slice(3)} ` }),
    ).resolves.toEqual({ id, status: 'APPROVED', approvalsRemaining: 0 });
  });

  it('accepts an approver whose name has inner spaces, as STSFTW 1.0 did', async () => {
    const url = await enroll(t.auth, t.cipher, { issuer: ISSUER, accountName: 'Bob Smith' });
    const alice = t.auth.peek(ISSUER, 'alice')!;
    await t.auth.update(ISSUER, 'alice', { secondaryAuthorization: [...alice.secondaryAuthorization, 'Bob Smith'] });
    const id = await t.waiting();
    await expect(
      t.broker.approve(id, { accountName: 'Bob Smith', totpCode: totpCode(url, t.clock.now()) }),
    ).resolves.toEqual({ id, status: 'APPROVED', approvalsRemaining: 0 });
    expect(t.requests.peek(id)?.approvedBy).toBe('Bob Smith');
  });

  it('denies: transition with the reason, then SendTaskFailure', async () => {
    const id = await t.waiting();
    await expect(
      t.broker.deny(id, { accountName: 'carol', totpCode: t.code('carol'), reason: 'not now' }),
    ).resolves.toEqual({ id, status: 'DENIED' });
    expect(t.requests.peek(id)).toMatchObject({ status: 'DENIED', deniedBy: 'carol', denialReason: 'not now' });
    // The requester sees who denied it and why.
    expect(await t.broker.getRequest(id)).toMatchObject({ deniedBy: 'carol', denialReason: 'not now' });
    expect(t.workflow.denials).toEqual([
      { taskToken: `token-${id}`, detail: { deniedBy: 'carol', reason: 'not now' } },
    ]);
  });

  it('decides a request once: a second decision is already_decided', async () => {
    const id = await t.waiting();
    await t.broker.approve(id, { accountName: 'bob', totpCode: t.code('bob') });
    await expect(t.broker.approve(id, { accountName: 'carol', totpCode: t.code('carol') })).rejects.toThrow(
      AlreadyDecidedError,
    );
    await expect(t.broker.deny(id, { accountName: 'carol', totpCode: t.code('carol', 1) })).rejects.toThrow(
      AlreadyDecidedError,
    );
    expect(t.workflow.approvals).toHaveLength(1);
    expect(t.workflow.denials).toHaveLength(0);
  });

  it('answers already_decided when another decision wins the race', async () => {
    const id = await t.waiting();
    const transition = t.requests.transition.bind(t.requests);
    // The approval (one conditional write) loses to a denial that landed just before it.
    vi.spyOn(t.requests, 'addApproval').mockImplementationOnce(async () => {
      await transition(id, ['AWAITING_APPROVAL'], 'DENIED', { deniedBy: 'carol' });
      throw new ConflictError();
    });
    await expect(t.broker.approve(id, { accountName: 'bob', totpCode: t.code('bob') })).rejects.toThrow(
      AlreadyDecidedError,
    );
    expect(t.workflow.approvals).toEqual([]);
  });

  it('refuses self-approval and self-denial after authenticating', async () => {
    const id = await t.waiting();
    await expect(t.broker.approve(id, { accountName: 'alice', totpCode: t.code('alice') })).rejects.toThrow(
      SelfApprovalError,
    );
    t.clock.advance(30);
    await expect(t.broker.deny(id, { accountName: 'alice', totpCode: t.code('alice') })).rejects.toThrow(
      SelfApprovalError,
    );
    expect(t.requests.peek(id)?.status).toBe('AWAITING_APPROVAL');
  });

  it('refuses an account that is not a secondary authorizer', async () => {
    const id = await t.waiting();
    await expect(t.broker.approve(id, { accountName: 'dave', totpCode: t.code('dave') })).rejects.toThrow(
      NotAnApproverError,
    );
    expect(t.requests.peek(id)?.status).toBe('AWAITING_APPROVAL');
  });

  it('refuses an authorizer other than the one the request named', async () => {
    const id = await t.waiting({ secondaryAccountName: 'bob' });
    await expect(t.broker.approve(id, { accountName: 'carol', totpCode: t.code('carol') })).rejects.toThrow(
      NotAnApproverError,
    );
    await expect(t.broker.approve(id, { accountName: 'bob', totpCode: t.code('bob') })).resolves.toEqual({
      id,
      status: 'APPROVED',
      approvalsRemaining: 0,
    });
  });

  it('applies the requester entry as it is now', async () => {
    const id = await t.waiting();
    await t.auth.update(ISSUER, 'alice', { secondaryAuthorization: ['carol'] });
    await expect(t.broker.approve(id, { accountName: 'bob', totpCode: t.code('bob') })).rejects.toThrow(
      NotAnApproverError,
    );
  });

  it('answers invalid_credentials, indistinguishably, for an unknown, secretless or wrong approver', async () => {
    const id = await t.waiting();
    const wrong = String((Number(t.code('bob')) + 1) % 1_000_000).padStart(6, '0');
    const errors = [
      await rejection(t.broker.approve(id, { accountName: 'zed', totpCode: t.code('bob') })),
      await rejection(t.broker.approve(id, { accountName: 'erin', totpCode: t.code('bob') })),
      await rejection(t.broker.approve(id, { accountName: 'bob', totpCode: wrong })),
      // Not an authorizer AND a wrong code: authentication comes first.
      await rejection(t.broker.approve(id, { accountName: 'dave', totpCode: wrong })),
    ];
    for (const e of errors) {
      expect(e.constructor).toBe(InvalidCredentialsError);
      expect(e.message).toBe(new InvalidCredentialsError().message);
    }
  });

  it('refuses a replayed approver code, even on another request', async () => {
    const first = await t.waiting();
    const second = await t.waiting();
    const code = t.code('bob');
    await t.broker.approve(first, { accountName: 'bob', totpCode: code });
    await expect(t.broker.approve(second, { accountName: 'bob', totpCode: code })).rejects.toThrow(
      InvalidCredentialsError,
    );
  });

  it('asks to retry while the request is still VERIFYING', async () => {
    const { id } = await t.broker.createRequest({ ...t.base, totpCode: t.code('alice') });
    await expect(t.broker.approve(id, { accountName: 'bob', totpCode: t.code('bob') })).rejects.toThrow(
      /not yet waiting for approval, try again in a moment/,
    );
    // Nothing was consumed: the same code works once the request waits.
    await t.requests.transition(id, ['VERIFYING'], 'AWAITING_APPROVAL', { taskToken: 'tok' });
    await expect(t.broker.approve(id, { accountName: 'bob', totpCode: t.code('bob') })).resolves.toEqual({
      id,
      status: 'APPROVED',
      approvalsRemaining: 0,
    });
  });

  it('answers expired past the decision deadline, without authenticating', async () => {
    const id = await t.waiting();
    t.clock.advance(900);
    await expect(t.broker.approve(id, { accountName: 'bob', totpCode: t.code('bob') })).rejects.toThrow(ExpiredError);
    expect(t.auth.peek(ISSUER, 'bob')?.lastStep).toBeUndefined();
  });

  it('answers expired for an EXPIRED request', async () => {
    const id = await t.waiting();
    await t.requests.transition(id, ['AWAITING_APPROVAL'], 'EXPIRED');
    await expect(t.broker.deny(id, { accountName: 'bob', totpCode: t.code('bob') })).rejects.toThrow(ExpiredError);
  });

  it('answers not_found for an unknown request', async () => {
    await expect(
      t.broker.approve('r_0123456789abcdefghjkmnpqrs', { accountName: 'bob', totpCode: t.code('bob') }),
    ).rejects.toThrow(NotFoundError);
  });

  it('refuses a malformed code or name before anything else', async () => {
    const id = await t.waiting();
    await expect(t.broker.approve(id, { accountName: 'bob', totpCode: '12 456' })).rejects.toThrow(InvalidRequestError);
    await expect(t.broker.approve(id, { accountName: 'b\nb', totpCode: '123456' })).rejects.toThrow(
      InvalidRequestError,
    );
    expect(t.auth.peek(ISSUER, 'bob')?.failedAttempts ?? 0).toBe(0);
  });

  it('reopens the decision when the workflow could not be told, so it can be retried', async () => {
    const id = await t.waiting();
    t.workflow.failNext('approve', new InternalError('SendTaskSuccess failed (Throttling).'));
    await expect(t.broker.approve(id, { accountName: 'bob', totpCode: t.code('bob') })).rejects.toThrow(InternalError);
    // The approval stays counted; the approver's retry completes the quorum and tells the workflow.
    expect(t.requests.peek(id)).toMatchObject({ status: 'AWAITING_APPROVAL', approvals: [{ accountName: 'bob' }] });
    await expect(t.broker.approve(id, { accountName: 'bob', totpCode: t.code('bob', 1) })).resolves.toEqual({
      id,
      status: 'APPROVED',
      approvalsRemaining: 0,
    });
  });

  it('reopens the decision when no task token is stored', async () => {
    const { id } = await t.broker.createRequest({ ...t.base, totpCode: t.code('alice') });
    await t.requests.transition(id, ['VERIFYING'], 'AWAITING_APPROVAL');
    await expect(t.broker.deny(id, { accountName: 'bob', totpCode: t.code('bob') })).rejects.toThrow(InternalError);
    expect(t.requests.peek(id)).toMatchObject({ status: 'AWAITING_APPROVAL' });
    expect(t.requests.peek(id)?.deniedBy).toBeUndefined();
    expect(t.workflow.denials).toEqual([]);
  });

  it('passes on already_decided from the workflow (its wait is over)', async () => {
    const id = await t.waiting();
    t.workflow.failNext('deny', new AlreadyDecidedError());
    await expect(t.broker.deny(id, { accountName: 'bob', totpCode: t.code('bob') })).rejects.toThrow(
      AlreadyDecidedError,
    );
  });

  it('refuses a deny reason that is too long', async () => {
    const id = await t.waiting();
    await expect(
      t.broker.deny(id, { accountName: 'bob', totpCode: t.code('bob'), reason: 'x'.repeat(513) }),
    ).rejects.toThrow(InvalidRequestError);
  });
});
