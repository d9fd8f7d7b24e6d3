/**
 * Approval rules and quorums through the real broker and tasks over the in-memory ports, driven as the state
 * machine drives them: the example team of docs/design.md (ReadOnly=0, Admin=1, BreakGlass=2 of the
 * security team), plus the edges of counting.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type BrokerConfig, createBroker } from '../../../lambdas/core/broker.js';
import {
  AlreadyApprovedError,
  AlreadyDecidedError,
  ApprovalsRequiredError,
  InternalError,
  NotAnApproverError,
} from '../../../lambdas/core/errors.js';
import { generateKeyPair } from '../../../lambdas/core/sealing.js';
import { createMintTask } from '../../../lambdas/core/tasks/mint.js';
import { createVerifyTasks } from '../../../lambdas/core/tasks/verify.js';
import { enroll, memoryPorts, rejection, totpCode } from '../../support/memory.js';

const ISSUER = 'acme';
const roles = { partition: 'aws', roleAccountId: '123456789012' };
const config: BrokerConfig = {
  ...roles,
  approvalTimeoutSeconds: 900,
  maxSessionSeconds: 3600,
  requestRetentionSeconds: 86_400,
};

async function setup() {
  const ports = memoryPorts('2030-01-01T00:00:10.000Z');
  const broker = createBroker({ ...ports, config });
  const tasks = {
    ...createVerifyTasks({ ...ports, config: roles }),
    ...createMintTask({ ...ports, config: { ...roles, maxSessionSeconds: 3600 } }),
  };
  const names = ['bob', 'sec1', 'sec2', 'sec3', 'dave'] as const;
  const urls: Record<string, string> = {
    alice: await enroll(ports.auth, ports.cipher, {
      issuer: ISSUER,
      accountName: 'alice',
      roles: ['ReadOnly', 'Admin', 'arn:aws:iam::123456789012:role/BreakGlass'],
      secondaryAuthorization: ['bob'],
      approvalRules: [
        { role: 'ReadOnly', approvals: 0 },
        { role: 'Admin', approvals: 1 },
        { role: 'arn:aws:iam::123456789012:role/BreakGlass', approvals: 2, approvers: ['sec1', 'sec2', 'sec3'] },
      ],
    }),
  };
  for (const name of names) urls[name] = await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: name });
  const code = (who: string, offset = 0) => totpCode(urls[who], ports.clock.now(), offset);
  const { publicKey } = await generateKeyPair();

  /** `POST /v1/requests`, then `Verify Requester` (and `Verify Approver` when a second code came). */
  async function start(role: string, second?: { name: string; code: string }, mode?: 'single-shot-only') {
    const { id } = await broker.createRequest(
      {
        issuer: ISSUER,
        accountName: 'alice',
        role,
        totpCode: code('alice'),
        publicKey,
        ...(second && { secondaryAccountName: second.name, secondaryTotpCode: second.code }),
      },
      mode && { mode },
    );
    const { next } = await tasks.verifyRequester({
      requestId: id,
      totpCode: code('alice'),
      ...(second && { secondaryAccountName: second.name, secondaryTotpCode: second.code }),
      ...(mode && { mode }),
    });
    let after: string = next;
    if (next === 'verifyApprover' && second) {
      after = (await tasks.verifyApprover({ requestId: id, accountName: second.name, totpCode: second.code })).next;
    }
    if (after === 'awaitApproval') await tasks.awaitApproval({ requestId: id, taskToken: `token-${id}` });
    return { id, next: after };
  }
  const approve = (id: string, who: string, offset = 0) =>
    broker.approve(id, { accountName: who, totpCode: code(who, offset) });
  return { ...ports, broker, tasks, code, start, approve };
}

describe('the example team: ReadOnly=0, Admin=1, BreakGlass=2 of the security team', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it('mints ReadOnly with the requester code alone, although the entry has an authorizer', async () => {
    const { id, next } = await t.start('ReadOnly');
    expect(next).toBe('mint');
    expect(t.requests.peek(id)).toMatchObject({ status: 'APPROVED', approvalsRequired: 0 });
    const minted = await t.tasks.mint({ requestId: id });
    expect(JSON.parse(JSON.parse(minted.audit.message).default)).toMatchObject({ approvedBy: [] });
    expect(t.minter.calls[0].tags[1]).toEqual({ Key: 'stsftw:approvers', Value: 'none' });
  });

  it('keeps Admin at one approval from secondary_authorization, as 1.0 did', async () => {
    const { id, next } = await t.start('Admin');
    expect(next).toBe('awaitApproval');
    expect((await t.broker.getRequest(id)).approvalsRequired).toBe(1);
    await expect(t.approve(id, 'sec1')).rejects.toThrow(NotAnApproverError);
    await expect(t.approve(id, 'bob')).resolves.toEqual({ id, status: 'APPROVED', approvalsRemaining: 0 });
    expect(t.workflow.approvals).toEqual([{ taskToken: `token-${id}`, output: { approvedBy: 'bob' } }]);
  });

  it('waits for two distinct security approvers for BreakGlass (named by its bare name), resuming once', async () => {
    const { id, next } = await t.start('BreakGlass');
    expect(next).toBe('awaitApproval');
    await expect(t.approve(id, 'bob')).rejects.toThrow(NotAnApproverError);
    await expect(t.approve(id, 'sec1')).resolves.toEqual({ id, status: 'AWAITING_APPROVAL', approvalsRemaining: 1 });
    expect(t.workflow.approvals).toEqual([]);
    const partial = await t.broker.getRequest(id);
    expect(partial).toMatchObject({
      status: 'AWAITING_APPROVAL',
      approvalsRequired: 2,
      approvals: [{ accountName: 'sec1', approvedAt: '2030-01-01T00:00:10.000Z' }],
      approvedBy: 'sec1',
    });
    t.clock.advance(30);
    await expect(t.approve(id, 'sec2')).resolves.toEqual({ id, status: 'APPROVED', approvalsRemaining: 0 });
    expect(t.workflow.approvals).toEqual([{ taskToken: `token-${id}`, output: { approvedBy: 'sec2' } }]);
    expect((await t.broker.getRequest(id)).approvals.map((a) => a.accountName)).toEqual(['sec1', 'sec2']);
    expect(t.audit.events.filter((e) => e.type === 'request.approved')).toEqual([
      expect.objectContaining({ approvedBy: ['sec1'], approvalCount: 1, approvalsRequired: 2, requestId: id }),
      expect.objectContaining({ approvedBy: ['sec1', 'sec2'], approvalCount: 2, approvalsRequired: 2 }),
    ]);
    const minted = await t.tasks.mint({ requestId: id });
    expect(t.minter.calls[0].tags.slice(0, 2)).toEqual([
      { Key: 'stsftw:approver', Value: 'sec2' },
      { Key: 'stsftw:approvers', Value: 'sec1:sec2' },
    ]);
    expect(JSON.parse(JSON.parse(minted.audit.message).default)).toMatchObject({ approvedBy: ['sec1', 'sec2'] });
    // A third approver is too late.
    await expect(t.approve(id, 'sec3')).rejects.toThrow(AlreadyDecidedError);
  });

  it('refuses a second approval by the same approver with already_approved, not as a failed code', async () => {
    const { id } = await t.start('BreakGlass');
    await t.approve(id, 'sec1');
    const again = await rejection(t.approve(id, 'sec1', 1));
    expect(again).toBeInstanceOf(AlreadyApprovedError);
    expect((again as AlreadyApprovedError).status).toBe(409);
    expect(t.auth.peek(ISSUER, 'sec1')?.failedAttempts ?? 0).toBe(0);
    expect(t.requests.peek(id)?.approvals).toHaveLength(1);
  });

  it('ends DENIED when one eligible approver denies after a partial approval', async () => {
    const { id } = await t.start('BreakGlass');
    await t.approve(id, 'sec1');
    await expect(t.broker.deny(id, { accountName: 'sec2', totpCode: t.code('sec2'), reason: 'no' })).resolves.toEqual({
      id,
      status: 'DENIED',
    });
    expect(t.workflow.denials).toHaveLength(1);
    expect(t.workflow.approvals).toEqual([]);
    await expect(t.approve(id, 'sec3')).rejects.toThrow(AlreadyDecidedError);
    const outcome = await t.tasks.recordOutcome({ requestId: id, status: 'DENIED' });
    expect(JSON.parse(JSON.parse(outcome.audit.message).default)).toMatchObject({
      type: 'request.denied',
      deniedBy: 'sec2',
      approvedBy: ['sec1'],
    });
  });

  it('counts three concurrent approvers for a quorum of two: exactly two counted, one resume', async () => {
    const { id } = await t.start('BreakGlass');
    // (Ten racers on real DynamoDB conditions: test/integration/quorum-race.test.ts.)
    const racers = ['sec1', 'sec2', 'sec3'];
    const answers = await Promise.allSettled(racers.map((who) => t.approve(id, who)));
    const approved = answers.filter((a) => a.status === 'fulfilled');
    expect(approved).toHaveLength(2);
    expect(t.requests.peek(id)?.approvals).toHaveLength(2);
    expect(t.workflow.approvals).toHaveLength(1);
    const refused = answers.filter((a) => a.status === 'rejected');
    expect(refused.map((a) => (a as PromiseRejectedResult).reason)).toEqual([expect.any(AlreadyDecidedError)]);
  });

  it('counts the approver code that came with the request as the first approval, then waits for the rest', async () => {
    const { id, next } = await t.start('BreakGlass', { name: 'sec1', code: t.code('sec1') });
    expect(next).toBe('awaitApproval');
    expect(t.requests.peek(id)).toMatchObject({
      status: 'AWAITING_APPROVAL',
      approvalsRequired: 2,
      approvals: [{ accountName: 'sec1' }],
    });
    // Naming sec1 does not keep sec2 from completing the quorum.
    await expect(t.approve(id, 'sec2')).resolves.toMatchObject({ status: 'APPROVED' });
  });

  it('refuses BreakGlass in a call that cannot wait (1.0 POST /), naming sts request', async () => {
    const error = await rejection(t.start('BreakGlass', { name: 'sec1', code: t.code('sec1') }, 'single-shot-only'));
    expect(error).toBeInstanceOf(ApprovalsRequiredError);
    expect(error.message).toContain('sts request');
    expect(error.message).toContain('2 approvals');
  });

  it('refuses to wait when fewer eligible approvers can sign in than the quorum needs', async () => {
    await t.auth.remove(ISSUER, 'sec2');
    await t.auth.remove(ISSUER, 'sec3');
    await expect(t.start('BreakGlass')).rejects.toThrow(/needs 2 approvals, but only 1/);
  });

  it('finishes a complete quorum whose release failed when a counted approver retries', async () => {
    const { id } = await t.start('BreakGlass');
    await t.approve(id, 'sec1');
    t.workflow.failNext('approve', new InternalError('SendTaskSuccess failed (Throttling).'));
    await expect(t.approve(id, 'sec2')).rejects.toThrow(InternalError);
    expect(t.requests.peek(id)).toMatchObject({ status: 'AWAITING_APPROVAL' });
    expect(t.requests.peek(id)?.approvals).toHaveLength(2);
    // The quorum is complete: any counted approver's retry releases it, once.
    await expect(t.approve(id, 'sec1', 1)).resolves.toEqual({ id, status: 'APPROVED', approvalsRemaining: 0 });
    expect(t.workflow.approvals).toHaveLength(1);
    await expect(t.approve(id, 'sec2', 1)).rejects.toThrow(AlreadyDecidedError);
  });
});
