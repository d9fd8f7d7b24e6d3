/**
 * The embedded broker end to end, over real HTTP: `sts server` and `sts enroll` run as child processes,
 * dynalite holds the data, the real `approval.asl.json` runs in aws-local-stepfunctions. The cases run in
 * order and share one data dir (a restart in the middle reuses it), as an operator's broker would.
 *
 * TOTP codes come from the otpauth URLs `sts enroll --json` prints; each account has at most three usable
 * codes at a time (see TotpCodes), so the suite spreads its work over several accounts instead of waiting.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ACCESS_KEY_PREFIX, LOCAL_SESSION_TOKEN_PREFIX } from '../../lambdas/adapters/local/local-minter.js';
import { newRequestId } from '../../lambdas/core/ids.js';
import { generateKeyPair, open } from '../../lambdas/core/sealing.js';
import type { Credentials } from '../../lambdas/core/types.js';
import {
  ApiClient,
  type ApiResponse,
  type BrokerProcess,
  type Enrolled,
  enrollAll,
  type Needle,
  scanBytes,
  scanDir,
  secretNeedles,
  startBroker,
  totpNeedles,
} from '../support/broker-harness.js';
import { TotpCodes } from '../support/totp-codes.js';

const ISSUER = 'acme';
/** Long enough that nothing expires by accident; the restart switches to a short one for the expiry case. */
const APPROVAL_TIMEOUT_SECONDS = 600;
const SHORT_APPROVAL_TIMEOUT_SECONDS = 3;
/** Cases that may wait for a fresh 30-second TOTP step. */
const WAITS_FOR_CODES = 90_000;

let dataDir: string;
let broker: BrokerProcess;
let api: ApiClient;
const codes = new TotpCodes();
const enrolled: Enrolled[] = [];
/** Output of broker processes already stopped (the leak scan reads all of them). */
const pastOutputs: string[] = [];
/** Every credential minted during the run, opened (the leak scan looks for each). */
const minted: Credentials[] = [];
/** Every request id created, in order. */
const requestIds: string[] = [];

interface Pending {
  id: string;
  privateKey: string;
  created: ApiResponse;
}

/** `POST /v1/requests` for `accountName` with a fresh key pair and (unless given) its next valid code. */
async function createRequest(
  accountName: string,
  role: string,
  extra: Record<string, unknown> = {},
  totpCode?: string,
): Promise<Pending> {
  const { publicKey, privateKey } = await generateKeyPair();
  const created = await api.create({
    issuer: ISSUER,
    accountName,
    role,
    totpCode: totpCode ?? (await codes.next(accountName)),
    publicKey,
    ...extra,
  });
  expect(created.status, created.text).toBe(202);
  requestIds.push(created.body.id);
  return { id: created.body.id, privateKey, created };
}

/** Opens a MINTED view's credentials with the requester's key and records them for the leak scan. */
async function openCredentials(view: Record<string, any>, privateKey: string): Promise<Credentials> {
  const plaintext = await open(privateKey, view.credentials.sealed, view.id);
  const credentials = JSON.parse(plaintext) as Credentials;
  minted.push(credentials);
  return credentials;
}

/** Asserts an RFC 9457 problem answer with `status` and `code`. */
function expectProblem(res: ApiResponse, status: number | number[], code: string): void {
  const statuses = Array.isArray(status) ? status : [status];
  expect(statuses, `${res.status} ${res.text}`).toContain(res.status);
  expect(res.contentType).toMatch(/^application\/problem\+json/);
  expect(Object.keys(res.body).sort()).toEqual(['code', 'detail', 'status', 'title', 'type']);
  expect(res.body).toMatchObject({ status: res.status, code });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'stsftw-e2e-'));
  broker = await startBroker({ dataDir, approvalTimeoutSeconds: APPROVAL_TIMEOUT_SECONDS });
  api = new ApiClient(broker.endpoint);
  // Approvers first, so the requesters' authorizers exist when they are enrolled.
  const accounts = await enrollAll(dataDir, ISSUER, [
    [
      { accountName: 'bob' },
      { accountName: 'dave' },
      { accountName: 'bob2' },
      { accountName: 'bob3' },
      { accountName: 'dave3' },
      { accountName: 'erin', roles: ['ReadOnly'] },
      { accountName: 'frank', roles: ['ReadOnly'] },
    ],
    [
      { accountName: 'alice', roles: ['Admin'], authorizers: ['bob', 'dave'] },
      { accountName: 'alice2', roles: ['Admin'], authorizers: ['bob2'] },
      { accountName: 'ivan', roles: ['Admin'], authorizers: ['bob'] },
      { accountName: 'carol', roles: ['Admin'], authorizers: ['bob', 'dave'] },
      { accountName: 'carol2', roles: ['Admin'], authorizers: ['bob3', 'dave3'] },
    ],
  ]);
  for (const account of accounts) {
    expect(account.issuer).toBe(ISSUER);
    codes.add(account.accountName, account.otpauthUrl);
    enrolled.push(account);
  }
}, 180_000);

afterAll(async () => {
  await broker?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('asynchronous approval', () => {
  let first: Pending;
  let second: Pending;

  it('accepts a request and waits for an approver', async () => {
    first = await createRequest('alice', 'Admin', { reason: 'deploy hotfix' });
    expect(first.created.body).toEqual({
      id: expect.stringMatching(/^r_[0-9a-z]{26}$/),
      status: 'VERIFYING',
      verificationCode: expect.stringMatching(/^[0-9A-Z]{3}-[0-9A-Z]{3}$/),
      decisionDeadline: expect.any(String),
    });
    const { view } = await api.waitFor(first.id, ['AWAITING_APPROVAL']);
    expect(view).toMatchObject({
      id: first.id,
      status: 'AWAITING_APPROVAL',
      issuer: ISSUER,
      accountName: 'alice',
      role: 'Admin',
      reason: 'deploy hotfix',
      approvedBy: null,
      error: null,
      verificationCode: first.created.body.verificationCode,
      decisionDeadline: first.created.body.decisionDeadline,
    });
    expect(view).not.toHaveProperty('credentials');
    expect(JSON.stringify(view)).not.toMatch(/token/i);
  });

  it('refuses approval by the requester herself', async () => {
    expectProblem(await api.approve(first.id, 'alice', await codes.next('alice')), 403, 'self_approval');
  });

  it('refuses approval by an account the requester does not list', async () => {
    expectProblem(await api.approve(first.id, 'erin', await codes.next('erin')), 403, 'not_an_approver');
  });

  it('refuses a wrong code from a listed approver', async () => {
    expectProblem(await api.approve(first.id, 'bob', codes.wrong('bob')), 401, 'invalid_credentials');
    expect((await api.get(first.id)).body.status).toBe('AWAITING_APPROVAL');
  });

  it('mints once a listed approver approves with a valid code', async () => {
    const res = await api.approve(first.id, 'bob', await codes.next('bob'));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ id: first.id, status: 'APPROVED', approvalsRemaining: 0 });
    const { view } = await api.waitFor(first.id, ['MINTED']);
    expect(view).toMatchObject({ status: 'MINTED', approvedBy: 'bob', error: null });
    expect(view.credentials).toEqual({
      sealed: { enc: expect.stringMatching(/^[\w-]+$/), ciphertext: expect.stringMatching(/^[\w-]+$/) },
      expiration: expect.any(String),
    });
  });

  it('seals the credentials to the requester (AAD = request id), marked as local', async () => {
    const { view } = await api.waitFor(first.id, ['MINTED']);
    const credentials = await openCredentials(view, first.privateKey);
    expect(Object.keys(credentials).sort()).toEqual(['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken']);
    expect(credentials.AccessKeyId.startsWith(LOCAL_ACCESS_KEY_PREFIX)).toBe(true);
    expect(credentials.SessionToken.startsWith(LOCAL_SESSION_TOKEN_PREFIX)).toBe(true);
    expect(credentials.SecretAccessKey.length).toBeGreaterThan(20);
    expect(new Date(credentials.Expiration).toISOString()).toBe(credentials.Expiration);
    expect(credentials.Expiration).toBe(view.credentials.expiration);
    // Bound to this request and this key: another id or another key opens nothing.
    await expect(open(first.privateKey, view.credentials.sealed, newRequestId())).rejects.toThrow();
    await expect(open((await generateKeyPair()).privateKey, view.credentials.sealed, first.id)).rejects.toThrow();
  });

  it('answers a second decision with already_decided', async () => {
    const code = await codes.next('dave');
    expectProblem(await api.approve(first.id, 'dave', code), 409, 'already_decided');
    expectProblem(await api.deny(first.id, 'dave', code), 409, 'already_decided');
    expect((await api.get(first.id)).body).toMatchObject({ status: 'MINTED', approvedBy: 'bob' });
  });

  it(
    'refuses a code that was already used',
    async () => {
      second = await createRequest('alice', 'Admin');
      await api.waitFor(second.id, ['AWAITING_APPROVAL']);
      expectProblem(await api.approve(second.id, 'bob', codes.last('bob')), 401, 'invalid_credentials');
      expect((await api.get(second.id)).body.status).toBe('AWAITING_APPROVAL');
    },
    WAITS_FOR_CODES,
  );

  it(
    'records a denial',
    async () => {
      const res = await api.deny(second.id, 'dave', await codes.next('dave'), 'not during the freeze');
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ id: second.id, status: 'DENIED' });
      const { view } = await api.waitFor(second.id, ['DENIED']);
      expect(view).toMatchObject({ deniedBy: 'dave', approvedBy: null });
      expect(view).not.toHaveProperty('credentials');
    },
    WAITS_FOR_CODES,
  );
});

describe('approver rules', () => {
  it('lets only the named approver decide a request that names one', async () => {
    const request = await createRequest('carol', 'Admin', { secondaryAccountName: 'dave' });
    const { view } = await api.waitFor(request.id, ['AWAITING_APPROVAL']);
    expect(view.secondaryAccountName).toBe('dave');
    expectProblem(await api.approve(request.id, 'bob', await codes.next('bob')), 403, 'not_an_approver');
    expect((await api.get(request.id)).body.status).toBe('AWAITING_APPROVAL');
    const res = await api.approve(request.id, 'dave', await codes.next('dave'));
    expect(res.status, res.text).toBe(200);
    const minted = await api.waitFor(request.id, ['MINTED']);
    expect(minted.view.approvedBy).toBe('dave');
    await openCredentials(minted.view, request.privateKey);
  });

  it(
    'lets exactly one of two simultaneous decisions win',
    async () => {
      const request = await createRequest('carol2', 'Admin');
      await api.waitFor(request.id, ['AWAITING_APPROVAL']);
      const [bobCode, daveCode] = [await codes.next('bob3'), await codes.next('dave3')];
      const [approval, denial] = await Promise.all([
        api.approve(request.id, 'bob3', bobCode),
        api.deny(request.id, 'dave3', daveCode),
      ]);
      const answers = [approval, denial].map((res) => res.status).sort();
      expect(answers, `${approval.text} / ${denial.text}`).toEqual([200, 409]);
      const loser = approval.status === 409 ? approval : denial;
      expectProblem(loser, 409, 'already_decided');
      const { view } = await api.waitFor(request.id, ['MINTED', 'DENIED']);
      if (approval.status === 200) {
        expect(view).toMatchObject({ status: 'MINTED', approvedBy: 'bob3', deniedBy: null });
        await openCredentials(view, request.privateKey);
      } else {
        expect(view).toMatchObject({ status: 'DENIED', deniedBy: 'dave3', approvedBy: null });
        expect(view).not.toHaveProperty('credentials');
      }
    },
    WAITS_FOR_CODES,
  );
});

describe('single-shot', () => {
  it('mints without waiting when both codes come in one call', async () => {
    const request = await createRequest('alice2', 'Admin', {
      secondaryAccountName: 'bob2',
      secondaryTotpCode: await codes.next('bob2'),
    });
    const { view, seen } = await api.waitFor(request.id, ['MINTED']);
    expect(seen).not.toContain('AWAITING_APPROVAL');
    expect(view).toMatchObject({ approvedBy: 'bob2', secondaryAccountName: 'bob2', error: null });
    const credentials = await openCredentials(view, request.privateKey);
    expect(credentials.AccessKeyId.startsWith(LOCAL_ACCESS_KEY_PREFIX)).toBe(true);
  });

  it(
    'mints on one code for an account without secondary authorizers',
    async () => {
      const request = await createRequest('erin', 'ReadOnly');
      const { view, seen } = await api.waitFor(request.id, ['MINTED']);
      expect(seen).not.toContain('AWAITING_APPROVAL');
      expect(view).toMatchObject({ accountName: 'erin', role: 'ReadOnly', approvedBy: null, error: null });
      const credentials = await openCredentials(view, request.privateKey);
      expect(credentials.SessionToken.startsWith(LOCAL_SESSION_TOKEN_PREFIX)).toBe(true);
    },
    WAITS_FOR_CODES,
  );

  it(
    'rejects a single-shot request whose approver code is wrong',
    async () => {
      const request = await createRequest('alice2', 'Admin', {
        secondaryAccountName: 'bob2',
        secondaryTotpCode: codes.wrong('bob2'),
      });
      const { view, seen } = await api.waitFor(request.id, ['REJECTED']);
      expect(seen).not.toContain('AWAITING_APPROVAL');
      expect(view.error).toMatchObject({ code: 'invalid_credentials' });
      expect(view).not.toHaveProperty('credentials');
    },
    WAITS_FOR_CODES,
  );

  it('rejects a single-shot request whose approver is not listed', async () => {
    const request = await createRequest('ivan', 'Admin', {
      secondaryAccountName: 'erin',
      secondaryTotpCode: codes.wrong('erin'),
    });
    const { view } = await api.waitFor(request.id, ['REJECTED']);
    expect(view.error).toMatchObject({ code: 'not_an_approver' });
  });
});

/** alice2's request left waiting: the approve-side refusals use it, then the restart case. */
let waiting: Pending;

describe('refusals', () => {
  it('rejects a request whose code is wrong', async () => {
    const request = await createRequest('alice2', 'Admin', {}, codes.wrong('alice2'));
    const { view } = await api.waitFor(request.id, ['REJECTED']);
    expect(view.error).toMatchObject({ code: 'invalid_credentials', message: expect.any(String) });
    expect(view).not.toHaveProperty('credentials');
  });

  it(
    'rejects a role the account may not assume',
    async () => {
      const request = await createRequest('erin', 'Admin');
      const { view } = await api.waitFor(request.id, ['REJECTED']);
      expect(view.error).toMatchObject({ code: 'role_not_permitted' });
    },
    WAITS_FOR_CODES,
  );

  it('rejects a request whose code was already used', async () => {
    const request = await createRequest('erin', 'ReadOnly', {}, codes.last('erin'));
    const { view } = await api.waitFor(request.id, ['REJECTED']);
    expect(view.error).toMatchObject({ code: 'invalid_credentials' });
  });

  it('answers a request from an unknown account exactly like one with a wrong code', async () => {
    const unknown = await createRequest('nobody', 'Admin', {}, '123456');
    const wrong = await createRequest('alice2', 'Admin', {}, codes.wrong('alice2'));
    const ids = ['id', 'verificationCode', 'decisionDeadline'];
    expect(strip(unknown.created.body, ids)).toEqual(strip(wrong.created.body, ids));
    const a = (await api.waitFor(unknown.id, ['REJECTED'])).view;
    const b = (await api.waitFor(wrong.id, ['REJECTED'])).view;
    expect(a.accountName).toBe('nobody');
    const perRequest = [...ids, 'createdAt', 'accountName'];
    expect(strip(a, perRequest)).toEqual(strip(b, perRequest));
    expect(a.error.code).toBe('invalid_credentials');
  });

  it(
    'answers an approval from an unknown account exactly like one with a wrong code',
    async () => {
      waiting = await createRequest('alice2', 'Admin');
      await api.waitFor(waiting.id, ['AWAITING_APPROVAL']);
      const unknown = await api.approve(waiting.id, 'nobody', '123456');
      const wrong = await api.approve(waiting.id, 'bob2', codes.wrong('bob2'));
      expectProblem(wrong, 401, 'invalid_credentials');
      expect({ status: unknown.status, contentType: unknown.contentType, body: unknown.body }).toEqual({
        status: wrong.status,
        contentType: wrong.contentType,
        body: wrong.body,
      });
    },
    WAITS_FOR_CODES,
  );

  it(
    'locks an account out after five failures, and refuses it even with a valid code',
    async () => {
      const answers: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await api.approve(waiting.id, 'frank', codes.wrong('frank'));
        answers.push(res.status);
        expect(res.status < 500, res.text).toBe(true);
        if (i === 4) expectProblem(res, 429, 'locked_out');
        else expectProblem(res, 401, 'invalid_credentials');
      }
      expect(answers).toEqual([401, 401, 401, 401, 429]);
      expectProblem(await api.approve(waiting.id, 'frank', await codes.next('frank')), 429, 'locked_out');
      const request = await createRequest('frank', 'ReadOnly');
      const { view } = await api.waitFor(request.id, ['REJECTED']);
      expect(view.error).toMatchObject({ code: 'locked_out' });
      expect((await api.get(waiting.id)).body.status).toBe('AWAITING_APPROVAL');
      const audit = await readFile(join(dataDir, 'audit.log'), 'utf8');
      expect(audit).toMatch(
        /"type":"account\.locked"[^\n]*"accountName":"frank"|"accountName":"frank"[^\n]*"type":"account\.locked"/,
      );
    },
    WAITS_FOR_CODES,
  );
});

describe('the API edge', () => {
  const bigReason = 'x'.repeat(17 * 1024);
  const validish = {
    issuer: ISSUER,
    accountName: 'erin',
    role: 'ReadOnly',
    totpCode: '123456',
    publicKey: 'A'.repeat(43),
  };

  it.each([
    ['a body over 16 KiB', () => api.create({ ...validish, reason: bigReason }), [400, 413], 'invalid_request'],
    [
      'a streamed body over 16 KiB',
      () =>
        api.send('POST', '/v1/requests', {
          body: streamOf(JSON.stringify({ ...validish, reason: bigReason })),
          headers: { 'content-type': 'application/json' },
        }),
      [400, 413],
      'invalid_request',
    ],
    [
      'a text/plain body',
      () => api.send('POST', '/v1/requests', { json: validish, headers: { 'content-type': 'text/plain' } }),
      [400, 415],
      'invalid_request',
    ],
    [
      'a body without a content type',
      () => api.send('POST', '/v1/requests', { body: new TextEncoder().encode(JSON.stringify(validish)) }),
      [400, 415],
      'invalid_request',
    ],
    ['an unknown field', () => api.create({ ...validish, admin: true }), [400], 'invalid_request'],
    [
      'malformed JSON',
      () => api.send('POST', '/v1/requests', { json: '{"issuer": "acme",' }),
      [400],
      'invalid_request',
    ],
    ['a JSON array', () => api.send('POST', '/v1/requests', { json: '[]' }), [400], 'invalid_request'],
    ['JSON null', () => api.send('POST', '/v1/requests', { json: 'null' }), [400], 'invalid_request'],
    ['a missing field', () => api.create({ issuer: ISSUER }), [400], 'invalid_request'],
    ['a wrongly typed field', () => api.create({ ...validish, totpCode: 123456 }), [400], 'invalid_request'],
    [
      'an approval with an unknown field',
      () =>
        api.send('POST', `/v1/requests/${waiting.id}/approve`, {
          json: { accountName: 'bob2', totpCode: '123456', role: 'Admin' },
        }),
      [400],
      'invalid_request',
    ],
    [
      'an approval with malformed JSON',
      () => api.send('POST', `/v1/requests/${waiting.id}/approve`, { json: '{' }),
      [400],
      'invalid_request',
    ],
    ['an unknown request id', () => api.get(newRequestId()), [404], 'not_found'],
    ['a malformed request id', () => api.get('..%2f..%2fetc'), [404], 'not_found'],
    ['approving an unknown request', () => api.approve(newRequestId(), 'bob2', '123456'), [404], 'not_found'],
    ['denying an unknown request', () => api.deny(newRequestId(), 'bob2', '123456'), [404], 'not_found'],
    ['an unknown path', () => api.send('GET', '/v1/nothing'), [404], 'not_found'],
    ['an unsupported method', () => api.send('PUT', '/v1/requests', { json: validish }), [404, 405], 'not_found'],
    [
      'naming oneself as the approver',
      () => api.create({ ...validish, secondaryAccountName: validish.accountName }),
      [403],
      'self_approval',
    ],
    [
      'a JSON body with a charset parameter (accepted: the unknown id decides)',
      () =>
        api.send('POST', `/v1/requests/${newRequestId()}/approve`, {
          json: { accountName: 'bob2', totpCode: '123456' },
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }),
      [404],
      'not_found',
    ],
  ] as const)('answers %s with a 4xx problem', async (_name, call, statuses, code) => {
    const res = await call();
    expect(res.status, res.text).toBeLessThan(500);
    expectProblem(res, [...statuses], code);
  });

  it('still has the waiting request untouched', async () => {
    expect((await api.get(waiting.id)).body.status).toBe('AWAITING_APPROVAL');
  });
});

describe('restart', () => {
  it('closes a request left waiting as FAILED broker_restarted', async () => {
    expect((await api.get(waiting.id)).body.status).toBe('AWAITING_APPROVAL');
    const stopped = await broker.stop();
    pastOutputs.push(broker.output());
    expect(stopped, 'sts server did not stop cleanly on SIGTERM').toEqual({ code: 0, signal: null, killed: false });
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
    broker = await startBroker({ dataDir, approvalTimeoutSeconds: SHORT_APPROVAL_TIMEOUT_SECONDS });
    api = new ApiClient(broker.endpoint);
    const res = await api.get(waiting.id);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ status: 'FAILED', error: { code: 'broker_restarted' } });
    expect(res.body).not.toHaveProperty('credentials');
    expectProblem(await api.approve(waiting.id, 'bob2', codes.wrong('bob2')), 409, 'already_decided');
  }, 150_000);

  it('keeps earlier outcomes across the restart', async () => {
    const all = (await readFile(join(dataDir, 'audit.log'), 'utf8')).trim().split('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all.map((line) => JSON.parse(line).type)).toEqual(
      expect.arrayContaining(['request.minted', 'request.denied', 'request.rejected', 'request.failed']),
    );
  });
});

describe('expiry', () => {
  it(
    'expires a request nobody decides, and refuses a late approval',
    async () => {
      const request = await createRequest('ivan', 'Admin');
      const deadline = Date.parse(request.created.body.decisionDeadline);
      const { view } = await api.waitFor(request.id, ['EXPIRED'], 60_000);
      expect(view).toMatchObject({ status: 'EXPIRED', approvedBy: null });
      expect(view).not.toHaveProperty('credentials');
      expect(Date.now()).toBeGreaterThanOrEqual(deadline - 1000);
      expect(view.error).toMatchObject({ code: 'expired' });
      expectProblem(await api.approve(request.id, 'bob', await codes.next('bob')), 410, 'expired');
      expectProblem(await api.deny(request.id, 'bob', codes.wrong('bob')), 410, 'expired');
    },
    WAITS_FOR_CODES,
  );
});

describe('secrets', () => {
  it('has a scan that finds a planted secret in raw, base64, binary and fragmented forms', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stsftw-scan-'));
    try {
      const url = enrolled[0].otpauthUrl;
      const token = `${LOCAL_SESSION_TOKEN_PREFIX}c2VjcmV0LXNlc3Npb24tdG9rZW4tZm9yLWEtc2Nhbi10ZXN0`;
      const planted: Record<string, Buffer> = {
        raw: Buffer.from(`{"x":"${url}"}`),
        base64: Buffer.from(Buffer.from(`ab${token}cd`).toString('base64')),
        base64url: Buffer.from(Buffer.from(`a${url}`).toString('base64url')),
        binary: Buffer.concat([Buffer.of(0, 255), Buffer.from(secretBytes(url)), Buffer.of(7)]),
        // Compression may replace part of a value by a back-reference: the other pieces still show.
        fragmented: Buffer.from(`${token.slice(0, 45)}\u0001${token.slice(50)}`),
      };
      for (const [name, bytes] of Object.entries(planted)) await writeFile(join(dir, name), bytes);
      await writeFile(join(dir, 'clean'), 'nothing to see');
      const needles = [...totpNeedles('planted', url), ...secretNeedles('token', token, LOCAL_SESSION_TOKEN_PREFIX)];
      const files = new Set((await scanDir(dir, needles)).map((hit) => hit.split(':')[0]));
      expect([...files].sort()).toEqual(Object.keys(planted).sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves no TOTP secret and no credential in plaintext in the data dir or the server output', async () => {
    expect(minted.length).toBeGreaterThanOrEqual(4);
    const stopped = await broker.stop();
    expect(stopped, 'sts server did not stop cleanly on SIGTERM').toEqual({ code: 0, signal: null, killed: false });
    const outputs = [...pastOutputs, broker.output()];
    // The capture works: the audit trail is printed as it happens.
    expect(outputs.join('')).toContain('request.minted');

    const needles: Needle[] = [];
    for (const account of enrolled) needles.push(...totpNeedles(account.accountName, account.otpauthUrl));
    for (const [i, c] of minted.entries()) {
      needles.push(
        ...secretNeedles(`credentials ${i} AccessKeyId`, c.AccessKeyId, LOCAL_ACCESS_KEY_PREFIX),
        ...secretNeedles(`credentials ${i} SecretAccessKey`, c.SecretAccessKey),
        ...secretNeedles(`credentials ${i} SessionToken`, c.SessionToken, LOCAL_SESSION_TOKEN_PREFIX),
      );
    }

    // The scan must be able to see plaintext in these files: request ids are stored in the clear (LevelDB's
    // snappy compression may cut one into pieces by chance, so any of them will do).
    const control = await scanDir(
      dataDir,
      requestIds.map((id) => ({ label: id, bytes: Buffer.from(id) })),
    );
    expect(control.filter((hit) => hit.startsWith('dynamodb')).length).toBeGreaterThan(0);

    const found = await scanDir(dataDir, needles);
    for (const [i, output] of outputs.entries())
      found.push(...scanBytes(`server output ${i}`, Buffer.from(output), needles));
    expect(found).toEqual([]);
  });
});

function secretBytes(otpauthUrl: string): Uint8Array {
  return OTPAuth.URI.parse(otpauthUrl).secret.bytes;
}

function strip(value: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key)));
}

/** A request body as a stream of 1 KiB chunks, so it goes out chunked, without Content-Length. */
function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.subarray(offset, offset + 1024));
      offset += 1024;
    },
  });
}
