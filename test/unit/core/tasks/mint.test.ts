import { beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidRequestError,
  NotAnApproverError,
  RoleNotPermittedError,
  StsFailedError,
} from '../../../../lambdas/core/errors.js';
import { open } from '../../../../lambdas/core/sealing.js';
import { createMintTask } from '../../../../lambdas/core/tasks/mint.js';
import { config, eventOf, ISSUER, setup } from './fixture.js';

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
          { Key: 'stsftw:approvers', Value: 'bob' },
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
      approvedBy: ['bob'],
      reason: 'deploy',
      expiration: '2030-01-01T00:30:10.000Z',
    });
    // Nothing in the output (which lands in the execution history) is a plaintext credential.
    const output = JSON.stringify(result);
    for (const secret of ['ASIAFAKE', 'fake-secret-1', 'fake-token-1']) expect(output).not.toContain(secret);
    // Only Release Credentials moves it on.
    expect(t.status(id)).toBe('APPROVED');
  });

  it('tags every approver of a quorum and lists them in the audit event', async () => {
    const id = await t.request({
      status: 'APPROVED',
      approvedBy: 'carol',
      approvalsRequired: 2,
      approvals: [
        { accountName: 'bob', approvedAt: '2030-01-01T00:00:01.000Z' },
        { accountName: 'carol', approvedAt: '2030-01-01T00:00:02.000Z' },
      ],
    });
    const result = await t.tasks.mint({ requestId: id });
    expect(t.minter.calls[0].tags.slice(0, 2)).toEqual([
      { Key: 'stsftw:approver', Value: 'carol' },
      { Key: 'stsftw:approvers', Value: 'bob:carol' },
    ]);
    expect(eventOf(result.audit)).toMatchObject({ type: 'request.minted', approvedBy: ['bob', 'carol'] });
  });

  it('refuses to mint a request with fewer approvals than its quorum, without calling STS', async () => {
    const id = await t.request({
      status: 'APPROVED',
      approvedBy: 'bob',
      approvalsRequired: 2,
      approvals: [{ accountName: 'bob', approvedAt: '2030-01-01T00:00:01.000Z' }],
    });
    await expect(t.tasks.mint({ requestId: id })).rejects.toThrow(NotAnApproverError);
    expect(t.minter.calls).toHaveLength(0);
  });

  it("tags single-factor sessions with approver 'none'", async () => {
    const id = await t.request({ status: 'APPROVED', accountName: 'solo' });
    await t.tasks.mint({ requestId: id });
    expect(t.minter.calls[0].tags[0]).toEqual({ Key: 'stsftw:approver', Value: 'none' });
  });

  it('caps the duration at the configured maximum', async () => {
    const tasks = createMintTask({ ...t, config: { ...config, maxSessionSeconds: 900 } });
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

  // The STS adapter maps SDK failures to StsFailedError (test/unit/adapters/aws/sts-minter.test.ts).
  it("passes the minter's StsFailedError on and leaves the request APPROVED", async () => {
    const id = await t.request({ status: 'APPROVED' });
    const failure = new StsFailedError(
      'STS could not mint the credentials (AccessDenied); no credentials were released.',
    );
    t.minter.fail = failure;
    await expect(t.tasks.mint({ requestId: id })).rejects.toBe(failure);
    expect(t.status(id)).toBe('APPROVED');
  });
});
