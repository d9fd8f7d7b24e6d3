/**
 * STSFTW 1.0's `POST /` over real HTTP against the embedded broker: the real state machine definition on
 * the local runner, dynalite, the local minter and the audit log file. Accounts are enrolled straight into
 * the broker's auth table; codes come from `TotpCodes`, which never hands out a time step twice.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuthStore } from '../../lambdas/adapters/aws/dynamo-auth-store.js';
import { type EmbeddedBroker, startEmbedded } from '../../lambdas/adapters/local/embedded.js';
import { createLocalCipher } from '../../lambdas/adapters/local/local-cipher.js';
import { localDynamoClient } from '../../lambdas/adapters/local/local-dynamo.js';
import { LOCAL_ACCESS_KEY_PREFIX, LOCAL_SESSION_TOKEN_PREFIX } from '../../lambdas/adapters/local/local-minter.js';
import { newEntry } from '../../lambdas/core/entries.js';
import { generateOtpauthUrl } from '../../lambdas/core/totp.js';
import { scanDir, secretNeedles } from '../support/broker-harness.js';
import { type LegacyClientRun, legacyClientRunOn } from '../support/legacy-go-client.js';
import { TotpCodes } from '../support/totp-codes.js';

const ISSUER = 'acme';
const ROLE = 'Admin';

let dataDir: string;
let broker: EmbeddedBroker;
let endpoint: string;
const codes = new TotpCodes();
const logs: object[] = [];

/** Enrolls `accountName` with a fresh secret straight into the auth table. */
async function enrollAccount(
  auth: DynamoAuthStore,
  cipher: Awaited<ReturnType<typeof createLocalCipher>>,
  accountName: string,
  authorizers: string[],
) {
  const url = generateOtpauthUrl(ISSUER, accountName);
  const totpSecret = await cipher.encrypt(url, { issuer: ISSUER, account_name: accountName });
  await auth.put(
    newEntry({
      issuer: ISSUER,
      accountName,
      roles: [ROLE],
      secondaryAuthorization: authorizers,
      totpSecret,
      now: new Date(),
    }),
  );
  codes.add(accountName, url);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'stsftw-legacy-'));
  broker = await startEmbedded({
    dataDir,
    port: 0,
    approvalTimeoutSeconds: 900,
    minter: 'local',
    log: (line) => logs.push(line),
    print: () => {},
  });
  endpoint = broker.info.endpoint;
  const dynamodb = localDynamoClient(broker.info);
  const auth = new DynamoAuthStore(dynamodb, broker.info.authTableName);
  const cipher = await createLocalCipher(broker.info.keyFile);
  await enrollAccount(auth, cipher, 'solo', []);
  await enrollAccount(auth, cipher, 'bob', []);
  await enrollAccount(auth, cipher, 'alice', ['bob']);
  dynamodb.destroy();
});

afterAll(async () => {
  await broker?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A 1.0 client's call: all six fields, unused ones empty, as its Go client marshals them. */
async function legacyPost(fields: Partial<Record<string, string>>) {
  const body = {
    Issuer: ISSUER,
    AccountName: '',
    TOTPCode: '',
    SecondaryAccountName: '',
    SecondaryTOTPCode: '',
    Role: ROLE,
    ...fields,
  };
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.clone().text();
  const run = await legacyClientRunOn(res);
  return { res, text, run, body: res.ok ? (JSON.parse(text) as Record<string, any>) : {} };
}

/**
 * A refusal as 1.0's `sts get` meets it: the status, a plain-text `code: sentence` body, and the replay
 * of its decoding exits 1 without printing an `export` line.
 */
function expectRefusal(answer: { res: Response; text: string; run: LegacyClientRun }, status: number, code: string) {
  expect(answer.res.status).toBe(status);
  expect(answer.res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(answer.text).toMatch(new RegExp(`^${code}: .+\\n$`, 's'));
  expect({ exitCode: answer.run.exitCode, stdout: answer.run.stdout }).toEqual({ exitCode: 1, stdout: '' });
}

/** A raw `POST` to `path` (no 1.0 body shaping), replayed through 1.0's decoding. */
async function rawPost(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${endpoint}${path}`, { method: 'POST', headers, body });
  const text = await res.clone().text();
  return { res, text, run: await legacyClientRunOn(res) };
}

async function auditEvents(): Promise<Record<string, any>[]> {
  const text = await readFile(broker.info.auditLog, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/**
 * The audit event matching `where`. A refusal's event is published by the state after the one that
 * records REJECTED, so it may land a moment after the answer: read the log until it shows up. The limit
 * only turns a hang into a failure (a loaded machine can take seconds).
 */
async function auditEvent(where: (event: Record<string, any>) => boolean): Promise<Record<string, any>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = (await auditEvents()).find(where);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such audit event in ${JSON.stringify(await auditEvents())}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('POST / (STSFTW 1.0) on the embedded broker', () => {
  it("answers a single-factor account with the local minter's credentials, audited, no-store", async () => {
    const { res, body, run } = await legacyPost({ AccountName: 'solo', TOTPCode: await codes.next('solo') });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(run).toEqual({
      exitCode: 0,
      stdout: `export AWS_ACCESS_KEY_ID=${body.AccessKeyId}\nexport AWS_SECRET_ACCESS_KEY=${body.SecretAccessKey}\nexport AWS_SESSION_TOKEN=${body.SessionToken}\n`,
    });
    expect(Object.keys(body).sort()).toEqual(['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken']);
    expect(body.AccessKeyId.startsWith(LOCAL_ACCESS_KEY_PREFIX)).toBe(true);
    expect(body.SessionToken.startsWith(LOCAL_SESSION_TOKEN_PREFIX)).toBe(true);
    expect(body.SecretAccessKey).toEqual(expect.any(String));
    expect(Date.parse(body.Expiration)).toBeGreaterThan(Date.now());

    const minted = await auditEvent((e) => e.type === 'request.minted' && e.accountName === 'solo');
    expect(minted).toMatchObject({ issuer: ISSUER, approvedBy: [], expiration: body.Expiration });
    // The audit log keeps the JSON event itself (SNS's `default` entry), not the per-protocol wrapper.
    expect(minted).not.toHaveProperty('default');
    expect(minted).not.toHaveProperty('email');
    // Plaintext credentials exist only in the answer: not in the database, audit log or server log.
    const leaks = await scanDir(dataDir, [
      ...secretNeedles('SecretAccessKey', body.SecretAccessKey),
      ...secretNeedles('SessionToken', body.SessionToken, LOCAL_SESSION_TOKEN_PREFIX),
    ]);
    expect(leaks).toEqual([]);
    expect(JSON.stringify(logs)).not.toContain(body.SecretAccessKey);
  });

  it('answers a two-party account that sends both codes in the one call', async () => {
    const { res, body } = await legacyPost({
      AccountName: 'alice',
      TOTPCode: await codes.next('alice'),
      SecondaryAccountName: 'bob',
      SecondaryTOTPCode: await codes.next('bob'),
    });
    expect(res.status).toBe(200);
    expect(body.AccessKeyId.startsWith(LOCAL_ACCESS_KEY_PREFIX)).toBe(true);
    await auditEvent((e) => e.type === 'request.minted' && e.accountName === 'alice' && e.approvedBy?.join() === 'bob');
  });

  it('refuses a two-party account without a second code at once (401), instead of waiting for approval', async () => {
    // The approval timeout is 900 s and the route waits 25 s: a 401 (not a 504) means it never waited.
    expectRefusal(
      await legacyPost({ AccountName: 'alice', TOTPCode: await codes.next('alice') }),
      401,
      'invalid_credentials',
    );
    const rejected = await auditEvent((e) => e.type === 'request.rejected' && e.accountName === 'alice');
    expect(rejected.error).toMatchObject({ code: 'invalid_credentials' });
    // The request record ended REJECTED and never held a task token.
    const view = await (await fetch(`${endpoint}/v1/requests/${rejected.requestId}`)).json();
    expect(view).toMatchObject({ status: 'REJECTED', error: { code: 'invalid_credentials' }, approvedBy: null });
  });

  it('refuses a wrong code with 401 invalid_credentials', async () => {
    const before = (await auditEvents()).length;
    expectRefusal(await legacyPost({ AccountName: 'solo', TOTPCode: codes.wrong('solo') }), 401, 'invalid_credentials');
    await auditEvent((e) => e.type === 'request.rejected' && e.accountName === 'solo');
    expect((await auditEvents()).slice(before).map((e) => e.type)).toEqual(['request.rejected']);
  });

  it('refuses a role the account does not hold with 403 role_not_permitted', async () => {
    const answer = await legacyPost({ AccountName: 'solo', TOTPCode: await codes.next('solo'), Role: 'Other' });
    expectRefusal(answer, 403, 'role_not_permitted');
  });

  it('refuses unknown fields with 400 before anything runs', async () => {
    const body = JSON.stringify({ Issuer: ISSUER, AccountName: 'solo', TOTPCode: '123456', Role: ROLE, Extra: 1 });
    const answer = await rawPost('/', body, { 'Content-Type': 'application/json' });
    expectRefusal(answer, 400, 'invalid_request');
    expect(answer.text).toBe('invalid_request: Unknown field: Extra.\n');
  });

  it.each([
    ['malformed JSON', '/', '{"Issuer":', 'application/json', 400, 'invalid_request'],
    ['JSON null', '/', 'null', 'application/json', 400, 'invalid_request'],
    ['a wrong content type', '/', '{}', 'text/plain', 415, 'invalid_request'],
    [
      'a body over 16 KiB',
      '/',
      JSON.stringify({ Issuer: 'x'.repeat(17 * 1024) }),
      'application/json',
      413,
      'invalid_request',
    ],
    ['another path', '/sts', '{}', 'application/json', 404, 'not_found'],
  ])('answers %s at the edge so that 1.0 stops', async (_, path, body, type, status, code) => {
    expectRefusal(await rawPost(path, body, { 'Content-Type': type }), status, code);
  });

  it('keeps /v1 refusals problem+json', async () => {
    const { res, text } = await rawPost('/v1/requests', '{', { 'Content-Type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.parse(text)).toMatchObject({ code: 'invalid_request' });
  });
});
