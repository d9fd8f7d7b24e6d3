/**
 * Approval rules and quorums on the embedded broker, end to end over real HTTP: `sts server` as a child
 * process, dynalite behind it, the real approval.asl.json in the local runner, the real verify and mint tasks.
 * The example team of docs/design.md (ReadOnly=0, Admin=1, BreakGlass=2 of the security team), a race of ten
 * approvers for a quorum of two, denial and expiry after a partial approval, and an entry shaped as STSFTW 1.0
 * wrote it. Rules are written straight into the auth table (the admin commands have their own tests).
 */

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoAuthStore } from '../../lambdas/adapters/aws/dynamo-auth-store.js';
import { localDynamoClient } from '../../lambdas/adapters/local/local-dynamo.js';
import type { ServerInfo } from '../../lambdas/adapters/local/server-info.js';
import { generateKeyPair, open } from '../../lambdas/core/sealing.js';
import type { ApprovalRule } from '../../lambdas/core/types.js';
import { ApiClient, type BrokerProcess, enrollAll, startBroker } from '../support/broker-harness.js';
import { TotpCodes } from '../support/totp-codes.js';

const ISSUER = 'acme';
const SECURITY = Array.from({ length: 10 }, (_, i) => `sec${i}`);
const TEAM_RULES: ApprovalRule[] = [
  { role: 'ReadOnly', approvals: 0 },
  { role: 'Admin', approvals: 1 },
  { role: 'BreakGlass', approvals: 2, approvers: SECURITY },
];

interface Broker {
  process: BrokerProcess;
  api: ApiClient;
  codes: TotpCodes;
  auditLog: string;
}

const dirs: string[] = [];
const brokers: Broker[] = [];

/** A broker with the team enrolled; `rules` per account written into its auth table. */
async function brokerWithTeam(approvalTimeoutSeconds: number): Promise<Broker> {
  const dataDir = await mkdtemp(join(tmpdir(), 'stsftw-quorum-'));
  dirs.push(dataDir);
  const process = await startBroker({ dataDir, approvalTimeoutSeconds });
  const enrolled = await enrollAll(dataDir, ISSUER, [
    [{ accountName: 'bob' }, ...SECURITY.slice(0, 5).map((accountName) => ({ accountName }))],
    SECURITY.slice(5).map((accountName) => ({ accountName })),
    [
      { accountName: 'alice', roles: ['ReadOnly', 'Admin', 'BreakGlass'], authorizers: ['bob'] },
      { accountName: 'old', roles: ['Admin'], authorizers: ['bob'] },
    ],
  ]);
  const codes = new TotpCodes();
  for (const e of enrolled) codes.add(e.accountName, e.otpauthUrl);
  const info = process.info as unknown as ServerInfo;
  const client = localDynamoClient(info);
  await new DynamoAuthStore(client, info.authTableName).update(ISSUER, 'alice', { approvalRules: TEAM_RULES });
  // `old` as STSFTW 1.0 wrote it (then migrated: the secret encrypted): string sets, no timestamps, no rules.
  const key = { issuer: { S: ISSUER }, account_name: { S: 'old' } };
  const { Item } = await client.send(new GetItemCommand({ TableName: info.authTableName, Key: key }));
  await client.send(new DeleteItemCommand({ TableName: info.authTableName, Key: key }));
  await client.send(
    new PutItemCommand({
      TableName: info.authTableName,
      Item: {
        ...key,
        roles: { SS: ['Admin'] },
        secondary_authorization: { SS: ['bob'] },
        totp_secret: Item?.totp_secret ?? { S: '' },
      },
    }),
  );
  client.destroy();
  const broker = { process, api: new ApiClient(process.endpoint), codes, auditLog: String(info.auditLog) };
  brokers.push(broker);
  return broker;
}

afterAll(async () => {
  await Promise.all(brokers.map((b) => b.process.stop()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Creates a request for `role` and waits until the workflow has moved past VERIFYING. */
async function request(b: Broker, accountName: string, role: string, until: string[] = ['AWAITING_APPROVAL']) {
  const keys = await generateKeyPair();
  const created = await b.api.create({
    issuer: ISSUER,
    accountName,
    role,
    totpCode: await b.codes.next(accountName),
    publicKey: keys.publicKey,
  });
  expect(created.status, created.text).toBe(202);
  const { view } = await b.api.waitFor(created.body.id, until);
  return { id: created.body.id as string, keys, view };
}

async function approve(b: Broker, id: string, who: string) {
  return b.api.approve(id, who, await b.codes.next(who));
}

async function auditEvents(b: Broker, requestId: string): Promise<Record<string, any>[]> {
  const text = await readFile(b.auditLog, 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .filter((event) => event.requestId === requestId);
}

/**
 * Until the request's last audit event matches `expected`. A DENIED or EXPIRED view is written before the
 * workflow's Publish Outcome Audit state appends that event, so reading at once can race it.
 */
function lastAuditEvent(b: Broker, requestId: string, expected: Record<string, unknown>): Promise<void> {
  return vi.waitFor(async () => expect((await auditEvents(b, requestId)).at(-1)).toMatchObject(expected), {
    timeout: 20_000,
    interval: 50,
  });
}

describe('the example team on the embedded broker', () => {
  let b: Broker;
  beforeAll(async () => {
    b = await brokerWithTeam(600);
  }, 240_000);

  it('mints ReadOnly at once with only the requester code', async () => {
    const { id, view } = await request(b, 'alice', 'ReadOnly', ['MINTED']);
    expect(view).toMatchObject({ approvalsRequired: 0, approvals: [], approvedBy: null });
    const events = await auditEvents(b, id);
    expect(events.map((e) => e.type)).toEqual(['request.minted']);
    expect(events[0].approvedBy).toEqual([]);
  });

  it('needs one approval from the secondary authorizers for Admin', async () => {
    const { id, view } = await request(b, 'alice', 'Admin');
    expect(view.approvalsRequired).toBe(1);
    const refused = await approve(b, id, 'sec0');
    expect([refused.status, refused.body.code]).toEqual([403, 'not_an_approver']);
    const approved = await approve(b, id, 'bob');
    expect(approved.body).toEqual({ id, status: 'APPROVED', approvalsRemaining: 0 });
    expect((await b.api.waitFor(id, ['MINTED'])).view.approvals).toEqual([
      { accountName: 'bob', approvedAt: expect.any(String) },
    ]);
  });

  it('waits for two distinct security approvers for BreakGlass, and mints with both tagged', async () => {
    const { id, keys } = await request(b, 'alice', 'BreakGlass');
    const first = await approve(b, id, 'sec1');
    expect([first.status, first.body]).toEqual([200, { id, status: 'AWAITING_APPROVAL', approvalsRemaining: 1 }]);
    const twice = await approve(b, id, 'sec1');
    expect([twice.status, twice.body.code]).toEqual([409, 'already_approved']);
    const partial = (await b.api.get(id)).body;
    expect(partial).toMatchObject({ status: 'AWAITING_APPROVAL', approvalsRequired: 2, approvedBy: 'sec1' });
    expect(partial.approvals.map((a: { accountName: string }) => a.accountName)).toEqual(['sec1']);
    const second = await approve(b, id, 'sec2');
    expect(second.body).toEqual({ id, status: 'APPROVED', approvalsRemaining: 0 });
    const { view } = await b.api.waitFor(id, ['MINTED']);
    expect(view.approvals.map((a: { accountName: string }) => a.accountName)).toEqual(['sec1', 'sec2']);
    const credentials = JSON.parse(await open(keys.privateKey, view.credentials.sealed, id));
    expect(credentials.AccessKeyId).toBeTruthy();
    const events = await auditEvents(b, id);
    expect(events.map((e) => [e.type, e.approvalCount])).toEqual([
      ['request.approved', 1],
      ['request.approved', 2],
      ['request.minted', undefined],
    ]);
    expect(events[2].approvedBy).toEqual(['sec1', 'sec2']);
  });

  it('counts exactly two of ten concurrent approvers, resumes once and mints once', async () => {
    const { id } = await request(b, 'alice', 'BreakGlass');
    const codes = await Promise.all(SECURITY.map((who) => b.codes.next(who)));
    const answers = await Promise.all(SECURITY.map((who, i) => b.api.approve(id, who, codes[i])));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    // The rest lost to a full quorum: already decided, never a 5xx or a TOTP failure.
    expect(answers.filter((a) => a.status !== 200).map((a) => a.body.code)).toEqual(Array(8).fill('already_decided'));
    expect(answers.filter((a) => a.body.status === 'APPROVED')).toHaveLength(1);
    const { view } = await b.api.waitFor(id, ['MINTED']);
    expect(view.approvals).toHaveLength(2);
    const events = await auditEvents(b, id);
    expect(events.filter((e) => e.type === 'request.minted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'request.approved')).toHaveLength(2);
  });

  it('ends DENIED when an eligible approver denies after a partial approval', async () => {
    const { id } = await request(b, 'alice', 'BreakGlass');
    expect((await approve(b, id, 'sec3')).body.approvalsRemaining).toBe(1);
    const denied = await b.api.deny(id, 'sec4', await b.codes.next('sec4'), 'not without a ticket');
    expect(denied.body).toEqual({ id, status: 'DENIED' });
    const { view } = await b.api.waitFor(id, ['DENIED']);
    expect(view).toMatchObject({ deniedBy: 'sec4', denialReason: 'not without a ticket' });
    expect(view).not.toHaveProperty('credentials');
    const late = await approve(b, id, 'sec5');
    expect([late.status, late.body.code]).toEqual([409, 'already_decided']);
    await lastAuditEvent(b, id, { type: 'request.denied', deniedBy: 'sec4', approvedBy: ['sec3'] });
  });

  it('refuses BreakGlass through 1.0 POST / with a sentence naming sts request', async () => {
    const res = await b.api.send('POST', '/', {
      json: {
        Issuer: ISSUER,
        AccountName: 'alice',
        TOTPCode: await b.codes.next('alice'),
        Role: 'BreakGlass',
        SecondaryAccountName: 'sec6',
        SecondaryTOTPCode: await b.codes.next('sec6'),
      },
    });
    expect(res.status).toBe(403);
    expect(res.contentType).toContain('text/plain');
    expect(res.text).toContain('sts request');
  });

  it('keeps a 1.0-shaped entry (string sets, no rules, no timestamps) at one approval', async () => {
    const { id, view } = await request(b, 'old', 'Admin');
    expect(view.approvalsRequired).toBe(1);
    expect((await approve(b, id, 'bob')).body).toEqual({ id, status: 'APPROVED', approvalsRemaining: 0 });
    await b.api.waitFor(id, ['MINTED']);
  });
});

describe('expiry after a partial approval', () => {
  it('expires when the quorum is not complete by the decision deadline, which covers the whole quorum', async () => {
    const b = await brokerWithTeam(8);
    const { id } = await request(b, 'alice', 'BreakGlass');
    expect((await approve(b, id, 'sec7')).body).toMatchObject({ status: 'AWAITING_APPROVAL', approvalsRemaining: 1 });
    const { view } = await b.api.waitFor(id, ['EXPIRED'], 60_000);
    expect(view.approvals.map((a: { accountName: string }) => a.accountName)).toEqual(['sec7']);
    const late = await approve(b, id, 'sec8');
    expect([late.status, late.body.code]).toEqual([410, 'expired']);
    await lastAuditEvent(b, id, { type: 'request.expired', approvedBy: ['sec7'] });
  }, 240_000);
});
