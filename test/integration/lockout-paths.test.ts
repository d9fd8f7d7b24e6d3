/**
 * The lockout on every path a code enters the embedded broker by — create, approve, deny and STSFTW 1.0's
 * `POST /` — under a burst of parallel wrong codes plus the right one, over real HTTP (`sts server` as a child
 * process, dynalite, the real state machine). Whatever the parallelism: at most MAX_FAILURES codes are checked
 * (the rest are refused as locked out unseen), nothing is approved or minted, and the lock is audited once.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FAILURES } from '../../lambdas/core/authenticator.js';
import { generateKeyPair } from '../../lambdas/core/sealing.js';
import { ApiClient, type BrokerProcess, enrollAll, startBroker, TERMINAL } from '../support/broker-harness.js';
import { TotpCodes } from '../support/totp-codes.js';

const ISSUER = 'acme';
const BURST = 100;
let dataDir: string;
let broker: BrokerProcess;
let api: ApiClient;
const codes = new TotpCodes();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'stsftw-lockout-paths-'));
  broker = await startBroker({ dataDir, approvalTimeoutSeconds: 600 });
  api = new ApiClient(broker.endpoint);
  const enrolled = await enrollAll(dataDir, ISSUER, [
    [
      { accountName: 'approver-a' },
      { accountName: 'approver-d' },
      { accountName: 'solo', roles: ['ReadOnly'] },
      { accountName: 'legacy', roles: ['ReadOnly'] },
    ],
    [{ accountName: 'alice', roles: ['Admin'], authorizers: ['approver-a', 'approver-d'] }],
  ]);
  for (const e of enrolled) codes.add(e.accountName, e.otpauthUrl);
}, 180_000);

afterAll(async () => {
  await broker?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** `BURST` wrong codes, then the right one, all sent at once. */
async function burst(accountName: string): Promise<string[]> {
  const wrong = codes.wrong(accountName);
  const right = await codes.next(accountName);
  return [...Array.from({ length: BURST }, () => wrong), right];
}

async function lockEvents(accountName: string): Promise<unknown[]> {
  const lines = (await readFile(String(broker.info.auditLog), 'utf8')).trim().split('\n');
  return lines
    .map((line) => JSON.parse(line))
    .filter((e) => e.type === 'account.locked' && e.accountName === accountName);
}

async function awaitingRequest(): Promise<string> {
  const { publicKey } = await generateKeyPair();
  const created = await api.create({
    issuer: ISSUER,
    accountName: 'alice',
    role: 'Admin',
    totpCode: await codes.next('alice'),
    publicKey,
  });
  expect(created.status, created.text).toBe(202);
  await api.waitFor(created.body.id, ['AWAITING_APPROVAL']);
  return created.body.id;
}

/** Codes answered 401 were checked and wrong; 429s were refused unseen, except the one failure that locked. */
function checkedAtMost(statuses: number[]): void {
  const wrong = statuses.filter((s) => s === 401).length;
  expect(wrong).toBeLessThanOrEqual(MAX_FAILURES - 1);
  expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
}

describe('lockout holds under a burst on every path', () => {
  it.each(['approve', 'deny'] as const)('%s: the approver is locked, the request is not decided', async (decision) => {
    const approver = decision === 'approve' ? 'approver-a' : 'approver-d';
    const id = await awaitingRequest();
    const answers = await Promise.all(
      (await burst(approver)).map((code) =>
        decision === 'approve' ? api.approve(id, approver, code) : api.deny(id, approver, code),
      ),
    );
    checkedAtMost(answers.map((a) => a.status));
    expect((await api.get(id)).body.status).toBe('AWAITING_APPROVAL');
    expect(await lockEvents(approver)).toHaveLength(1);
    const after = await api.approve(id, approver, await codes.next(approver));
    expect(after.status).toBe(429);
    expect(after.body.code).toBe('locked_out');
  });

  it('create: every request is rejected, at most 5 codes were checked, nothing is minted', async () => {
    const { publicKey } = await generateKeyPair();
    const created = await Promise.all(
      (await burst('solo')).map((totpCode) =>
        api.create({ issuer: ISSUER, accountName: 'solo', role: 'ReadOnly', totpCode, publicKey }),
      ),
    );
    expect(created.every((c) => c.status === 202)).toBe(true);
    const views = await Promise.all(created.map((c) => api.waitFor(c.body.id, TERMINAL, 60_000)));
    expect(views.every(({ view }) => view.status === 'REJECTED')).toBe(true);
    const errorCodes = views.map(({ view }) => view.error.code);
    expect(errorCodes.filter((c) => c === 'invalid_credentials').length).toBeLessThanOrEqual(MAX_FAILURES - 1);
    expect(errorCodes.every((c) => c === 'invalid_credentials' || c === 'locked_out')).toBe(true);
    expect(await lockEvents('solo')).toHaveLength(1);
  });

  it("1.0's POST /: nothing is minted and the account is locked once", async () => {
    const answers = await Promise.all(
      (await burst('legacy')).map((TOTPCode) =>
        api.send('POST', '/', {
          json: {
            Issuer: ISSUER,
            AccountName: 'legacy',
            TOTPCode,
            Role: 'ReadOnly',
            SecondaryAccountName: '',
            SecondaryTOTPCode: '',
          },
        }),
      ),
    );
    checkedAtMost(answers.map((a) => a.status));
    expect(await lockEvents('legacy')).toHaveLength(1);
  });
});
