import { beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidCredentialsError,
  InvalidRequestError,
  LockedOutError,
  NotAnApproverError,
  NotFoundError,
  RoleNotPermittedError,
  SelfApprovalError,
  StsFailedError,
} from '../../../lambdas/core/errors.js';
import { generateKeyPair, open } from '../../../lambdas/core/sealing.js';
import { closeAsRestarted, createTasks, outcomeError, type TaskConfig } from '../../../lambdas/core/tasks.js';
import type { RequestRecord, RequestStatus } from '../../../lambdas/core/types.js';
import { enroll, memoryPorts, rejection, totpCode } from '../../support/memory.js';

const ISSUER = 'example';
const config: TaskConfig = { maxSessionSeconds: 3600, partition: 'aws', roleAccountId: '123456789012' };

/** The JSON event of a task's audit output: the `default` entry of its SNS message. */
function eventOf(audit: { message: string }): Record<string, unknown> {
  return JSON.parse(JSON.parse(audit.message).default);
}
let counter = 0;

async function setup() {
  const ports = memoryPorts('2030-01-01T00:00:10.000Z');
  const tasks = createTasks({ ...ports, config });
  const urls = {
    alice: await enroll(ports.auth, ports.cipher, {
      issuer: ISSUER,
      accountName: 'alice',
      roles: ['admin'],
      secondaryAuthorization: ['bob', 'carol', 'erin'],
    }),
    bob: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'bob' }),
    carol: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'carol' }),
    dave: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'dave' }),
    erin: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'erin' }, { secret: null }),
    solo: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'solo', roles: ['admin'] }),
  };
  const code = (who: keyof typeof urls, offset = 0) => totpCode(urls[who], ports.clock.now(), offset);
  const keys = await generateKeyPair();

  /** Stores a request as the API would (or in a given status). */
  async function request(extra: Partial<RequestRecord> = {}): Promise<string> {
    const id = `r_${String(counter++).padStart(26, '0')}`;
    await ports.requests.create({
      id,
      status: 'VERIFYING',
      issuer: ISSUER,
      accountName: 'alice',
      role: 'admin',
      durationSeconds: 1800,
      publicKey: keys.publicKey,
      createdAt: ports.clock.now().toISOString(),
      decisionDeadline: new Date(ports.clock.now().getTime() + 900_000).toISOString(),
      expiresAt: Math.floor(ports.clock.now().getTime() / 1000) + 900 + 86_400,
      ...extra,
    });
    return id;
  }
  const status = (id: string) => ports.requests.peek(id)?.status;
  return { ...ports, tasks, code, keys, request, status };
}

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
    ).resolves.toEqual({ approvedBy: 'bob' });
    expect(t.requests.peek(id)).toMatchObject({ status: 'APPROVED', approvedBy: 'bob' });
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

describe('mint', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it('assumes the role with session name, source identity, tags and duration, and seals the credentials', async () => {
    const id = await t.request({ status: 'APPROVED', approvedBy: 'bob', reason: 'deploy' });
    const result = await t.tasks.mint({ requestId: id });
    expect(t.minter.calls).toEqual([
      {
        roleArn: 'arn:aws:iam::123456789012:role/admin',
        roleSessionName: 'alice@example',
        sourceIdentity: 'alice',
        durationSeconds: 1800,
        tags: [
          { Key: 'stsftw:approver', Value: 'bob' },
          { Key: 'stsftw:request-id', Value: id },
        ],
      },
    ]);
    const plaintext = await open(t.keys.privateKey, JSON.parse(result.sealed), id);
    expect(JSON.parse(plaintext)).toEqual({
      AccessKeyId: 'ASIAFAKE000000000001',
      SecretAccessKey: 'fake-secret-1',
      SessionToken: 'fake-token-1',
      Expiration: '2030-01-01T00:30:10.000Z',
    });
    expect(result.expiration).toBe('2030-01-01T00:30:10.000Z');
    expect(result.audit.subject).toBe('Credentials Minted For Account');
    expect(result.audit.type).toBe('request.minted');
    expect(JSON.parse(result.audit.message).email).toContain('\nAccount Name: alice\nAWS Role: admin\n');
    expect(eventOf(result.audit)).toEqual({
      type: 'request.minted',
      at: '2030-01-01T00:00:10.000Z',
      issuer: ISSUER,
      accountName: 'alice',
      requestId: id,
      role: 'admin',
      roleArn: 'arn:aws:iam::123456789012:role/admin',
      approvedBy: 'bob',
      reason: 'deploy',
      expiration: '2030-01-01T00:30:10.000Z',
    });
    // Nothing in the output (which lands in the execution history) is a plaintext credential.
    const output = JSON.stringify(result);
    for (const secret of ['ASIAFAKE', 'fake-secret-1', 'fake-token-1']) expect(output).not.toContain(secret);
    // Only Release Credentials moves it on.
    expect(t.status(id)).toBe('APPROVED');
  });

  it("tags single-factor sessions with approver 'none'", async () => {
    const id = await t.request({ status: 'APPROVED', accountName: 'solo' });
    await t.tasks.mint({ requestId: id });
    expect(t.minter.calls[0].tags[0]).toEqual({ Key: 'stsftw:approver', Value: 'none' });
  });

  it('caps the duration at the configured maximum', async () => {
    const tasks = createTasks({ ...t, config: { ...config, maxSessionSeconds: 900 } });
    const id = await t.request({ status: 'APPROVED' });
    await tasks.mint({ requestId: id });
    expect(t.minter.calls[0].durationSeconds).toBe(900);
  });

  it('refuses a request that is not APPROVED', async () => {
    const id = await t.request({ status: 'AWAITING_APPROVAL' });
    await expect(t.tasks.mint({ requestId: id })).rejects.toThrow(InvalidRequestError);
    expect(t.minter.calls).toEqual([]);
  });

  it('refuses a role removed from the entry since the request', async () => {
    const id = await t.request({ status: 'APPROVED' });
    await t.auth.update(ISSUER, 'alice', { roles: ['dev'] });
    await expect(t.tasks.mint({ requestId: id })).rejects.toThrow(RoleNotPermittedError);
  });

  it('refuses when the requester entry is gone', async () => {
    const id = await t.request({ status: 'APPROVED' });
    await t.auth.remove(ISSUER, 'alice');
    await expect(t.tasks.mint({ requestId: id })).rejects.toThrow(RoleNotPermittedError);
  });

  it('reports an STS failure as StsFailedError, without its message', async () => {
    const id = await t.request({ status: 'APPROVED' });
    t.minter.fail = new Error('AccessDenied: arn:aws:iam::123456789012:role/admin internal detail');
    const error = await t.tasks.mint({ requestId: id }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(StsFailedError);
    expect((error as Error).name).toBe('StsFailedError');
    expect((error as Error).message).not.toContain('internal detail');
  });

  it("names the STS exception in the failure (for the operator's execution history)", async () => {
    const id = await t.request({ status: 'APPROVED' });
    t.minter.fail = Object.assign(new Error('User is not authorized to perform sts:AssumeRole'), {
      name: 'AccessDenied',
    });
    const error = await rejection(t.tasks.mint({ requestId: id }));
    expect(error.message).toBe('STS could not mint the credentials (AccessDenied); no credentials were released.');
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

describe('outcomeError', () => {
  it('never uses the Cause', () => {
    expect(outcomeError('FAILED', { Error: 'X', Cause: 'boom' } as never)).toEqual({
      code: 'internal',
      message: 'Minting or auditing failed; no credentials were released.',
    });
  });
});

describe('closeAsRestarted', () => {
  it('fails an unfinished request with broker_restarted and leaves finished ones alone', async () => {
    const t = await setup();
    const open = await t.request({ status: 'AWAITING_APPROVAL', taskToken: 'tok' });
    const done = await t.request({ status: 'MINTED' });
    const event = await closeAsRestarted(t.requests, open, t.clock.now());
    expect(t.requests.peek(open)).toMatchObject({ status: 'FAILED', error: { code: 'broker_restarted' } });
    expect(t.requests.peek(open)?.taskToken).toBeUndefined();
    expect(event).toMatchObject({ type: 'request.failed', requestId: open, error: { code: 'broker_restarted' } });
    await expect(closeAsRestarted(t.requests, done, t.clock.now())).resolves.toBeUndefined();
    expect(t.status(done)).toBe('MINTED');
  });
});

describe('dispatch', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it('routes by action', async () => {
    const id = await t.request();
    await expect(
      t.tasks.dispatch({
        action: 'verifyRequester',
        requestId: id,
        totpCode: t.code('alice'),
        secondaryTotpCode: null,
      }),
    ).resolves.toEqual({ next: 'awaitApproval' });
    await expect(t.tasks.dispatch({ action: 'awaitApproval', requestId: id, taskToken: 'tok' })).resolves.toEqual({
      stored: true,
    });
    await expect(
      t.tasks.dispatch({
        action: 'recordOutcome',
        requestId: id,
        status: 'EXPIRED',
        error: { Error: 'States.Timeout', Cause: 'x' },
      }),
    ).resolves.toHaveProperty('audit');
    const approved = await t.request({ status: 'APPROVED' });
    await expect(t.tasks.dispatch({ action: 'mint', requestId: approved })).resolves.toHaveProperty('sealed');
    const single = await t.request({ secondaryAccountName: 'bob' });
    await expect(
      t.tasks.dispatch({ action: 'verifyApprover', requestId: single, accountName: 'bob', totpCode: t.code('bob') }),
    ).resolves.toEqual({ approvedBy: 'bob' });
  });

  it.each([
    ['an unknown action', { action: 'drop', requestId: 'r_0123456789abcdefghjkmnpqrs' }],
    ['a bad request id', { action: 'mint', requestId: 'x' }],
    ['a missing code', { action: 'verifyRequester', requestId: 'r_0123456789abcdefghjkmnpqrs' }],
    ['a non-string code', { action: 'verifyRequester', requestId: 'r_0123456789abcdefghjkmnpqrs', totpCode: 123456 }],
    ['a missing token', { action: 'awaitApproval', requestId: 'r_0123456789abcdefghjkmnpqrs' }],
    ['an unknown outcome', { action: 'recordOutcome', requestId: 'r_0123456789abcdefghjkmnpqrs', status: 'MINTED' }],
    [
      'a malformed error',
      { action: 'recordOutcome', requestId: 'r_0123456789abcdefghjkmnpqrs', status: 'FAILED', error: 'x' },
    ],
  ])('refuses %s', async (_label, payload) => {
    await expect(t.tasks.dispatch(payload as never)).rejects.toThrow(InvalidRequestError);
  });
});
