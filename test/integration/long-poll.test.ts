/**
 * Long-polls on the embedded broker, over real HTTP: `GET /v1/requests/{id}?wait=S&status=X` woken by the
 * workflow's own writes (dynalite, the real state machine), its timeout, a client that hangs up, and a
 * waiting `sts request` (a child process, as people run it) that long-polls instead of polling.
 * Nothing is timed: limits only turn a hang into a failure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoAuthStore } from '../../lambdas/adapters/aws/dynamo-auth-store.js';
import { type EmbeddedBroker, startEmbedded } from '../../lambdas/adapters/local/embedded.js';
import { createLocalCipher } from '../../lambdas/adapters/local/local-cipher.js';
import { localDynamoClient } from '../../lambdas/adapters/local/local-dynamo.js';
import { newEntry } from '../../lambdas/core/entries.js';
import { generateKeyPair } from '../../lambdas/core/sealing.js';
import { generateOtpauthUrl } from '../../lambdas/core/totp.js';
import { ApiClient } from '../support/broker-harness.js';
import { describeRun, ensureBundle, makeUser, spawnSts } from '../support/cli-harness.js';

const ISSUER = 'acme';
const REQUEST_ID = /Request (r_[0-9a-z]{26})\b/;

let root: string;
let broker: EmbeddedBroker;
let api: ApiClient;
const logs: Record<string, unknown>[] = [];
const secrets = new Map<string, string>();
let pairs = 0;

beforeAll(async () => {
  ensureBundle();
  root = await mkdtemp(join(tmpdir(), 'stsftw-long-poll-'));
  broker = await startEmbedded({
    dataDir: join(root, 'data'),
    port: 0,
    approvalTimeoutSeconds: 900,
    minter: 'local',
    log: (line) => logs.push(line as Record<string, unknown>),
    print: () => {},
  });
  api = new ApiClient(broker.info.endpoint);
});
afterAll(async () => {
  await broker?.close();
  await rm(root, { recursive: true, force: true });
});

/** A fresh requester (Admin, approved by its own approver) and approver, each used once per code. */
async function pair(): Promise<{ requester: string; approver: string }> {
  pairs += 1;
  const requester = `alice${pairs}`;
  const approver = `bob${pairs}`;
  const dynamodb = localDynamoClient(broker.info);
  const auth = new DynamoAuthStore(dynamodb, broker.info.authTableName);
  const cipher = await createLocalCipher(broker.info.keyFile);
  for (const [accountName, approvers] of [
    [requester, [approver]],
    [approver, []],
  ] as const) {
    const url = generateOtpauthUrl(ISSUER, accountName);
    secrets.set(accountName, url);
    const totpSecret = await cipher.encrypt(url, { issuer: ISSUER, account_name: accountName });
    await auth.put(
      newEntry({
        issuer: ISSUER,
        accountName,
        roles: ['Admin'],
        secondaryAuthorization: [...approvers],
        totpSecret,
        now: new Date(),
      }),
    );
  }
  dynamodb.destroy();
  return { requester, approver };
}

const code = (account: string) => (OTPAuth.URI.parse(secrets.get(account) ?? '') as OTPAuth.TOTP).generate();

/** A request by `requester`, once it waits for approval. */
async function awaitingRequest(requester: string): Promise<string> {
  const { publicKey } = await generateKeyPair();
  const created = await api.create({
    issuer: ISSUER,
    accountName: requester,
    role: 'Admin',
    totpCode: code(requester),
    publicKey,
  });
  expect(created.status, created.text).toBe(202);
  await api.waitFor(created.body.id, ['AWAITING_APPROVAL']);
  return created.body.id;
}

/** `GET /v1/requests/{id}?wait=…&status=…`: status, the Sts-Wait header, the body. */
async function longPoll(id: string, query: string, signal?: AbortSignal) {
  const res = await fetch(`${broker.info.endpoint}/v1/requests/${id}?${query}`, { signal });
  return { status: res.status, wait: res.headers.get('sts-wait'), body: (await res.json()) as Record<string, any> };
}

describe('long-poll on the embedded broker', () => {
  it('an approval while a GET waits wakes it with the new status', async () => {
    const { requester, approver } = await pair();
    const id = await awaitingRequest(requester);
    const waiting = longPoll(id, 'wait=20&status=AWAITING_APPROVAL');
    await vi.waitFor(() => expect(broker.waiting()).toBe(1), { timeout: 10_000 });

    const approved = await api.approve(id, approver, code(approver));
    expect(approved.status, approved.text).toBe(200);
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(answer.wait).toBe('20');
    expect(['APPROVED', 'MINTED']).toContain(answer.body.status);
    expect(broker.waiting()).toBe(0);

    // Waiting on APPROVED is woken by the state machine's own write (Release Credentials' UpdateItem).
    if (answer.body.status === 'APPROVED') {
      const minted = await longPoll(id, 'wait=20&status=APPROVED');
      expect(minted.body.status).toBe('MINTED');
    }
  });

  it('answers at once when the status is not the one waited on', async () => {
    const { requester } = await pair();
    const id = await awaitingRequest(requester);
    const answer = await longPoll(id, 'wait=20&status=VERIFYING');
    expect(answer).toMatchObject({ status: 200, wait: '20', body: { id, status: 'AWAITING_APPROVAL' } });
  });

  it('after the wait answers with the request as it is', async () => {
    const { requester } = await pair();
    const id = await awaitingRequest(requester);
    const answer = await longPoll(id, 'wait=1&status=AWAITING_APPROVAL');
    expect(answer).toMatchObject({ status: 200, wait: '1', body: { id, status: 'AWAITING_APPROVAL' } });
    expect(broker.waiting()).toBe(0);
  });

  it('a client that hangs up frees its waiter', async () => {
    const { requester } = await pair();
    const id = await awaitingRequest(requester);
    const client = new AbortController();
    const waiting = longPoll(id, 'wait=20&status=AWAITING_APPROVAL', client.signal).catch((e: Error) => e);
    await vi.waitFor(() => expect(broker.waiting()).toBe(1), { timeout: 10_000 });
    client.abort();
    expect(await waiting).toMatchObject({ name: 'AbortError' });
    await vi.waitFor(() => expect(broker.waiting()).toBe(0), { timeout: 10_000 });
    expect(logs.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('refuses bad wait and status values with 400 invalid_request', async () => {
    const { requester } = await pair();
    const id = await awaitingRequest(requester);
    for (const query of [
      'wait=21&status=AWAITING_APPROVAL',
      'wait=2.5&status=AWAITING_APPROVAL',
      'wait=5&status=nope',
      'wait=5',
    ]) {
      const answer = await longPoll(id, query);
      expect(answer.status, query).toBe(400);
      expect(answer.body.code, query).toBe('invalid_request');
    }
  });

  it('answers a GET without wait as before, without Sts-Wait', async () => {
    const { requester } = await pair();
    const id = await awaitingRequest(requester);
    const res = await fetch(`${broker.info.endpoint}/v1/requests/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('sts-wait')).toBeNull();
    expect(await res.json()).toMatchObject({ id, status: 'AWAITING_APPROVAL' });
  });

  it('a waiting sts request long-polls: a GET per status it sees, and the credentials once approved', async () => {
    const { requester, approver } = await pair();
    const user = makeUser(join(root, 'homes'), requester);
    const args = ['--local', '--data-dir', join(root, 'data')];
    const request = spawnSts(
      [
        'request',
        ...args,
        '--issuer',
        ISSUER,
        '--account-name',
        requester,
        '--role',
        'Admin',
        '--totp-code',
        code(requester),
      ],
      user,
    );
    const id = (await request.waitForStderr(REQUEST_ID))[1];
    await request.waitForStderr(/sts approve/);
    // The CLI now waits in a long-poll on AWAITING_APPROVAL; a polling CLI would call again and again meanwhile.
    await vi.waitFor(() => expect(broker.waiting()).toBe(1), { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const approved = await api.approve(id, approver, code(approver));
    expect(approved.status, approved.text).toBe(200);
    const run = await request.done;
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain('export AWS_ACCESS_KEY_ID=ASIALOCAL');

    // One plain read, then one long-poll per status it saw leave (VERIFYING?, AWAITING_APPROVAL, APPROVED?).
    const gets = logs.filter(
      (line) => line.msg === 'request' && line.method === 'GET' && line.path === `/v1/requests/${id}`,
    );
    expect(gets.length).toBeGreaterThanOrEqual(2);
    expect(gets.length).toBeLessThanOrEqual(4);
    expect(broker.waiting()).toBe(0);
  });
});
