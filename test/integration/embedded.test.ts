import { lstat, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as OTPAuth from 'otpauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCli } from '../../cli/cli.js';
import { nextSteps } from '../../cli/commands/server.js';
import { DynamoAuthStore } from '../../lambdas/adapters/aws/dynamo-auth-store.js';
import { DynamoRequestStore } from '../../lambdas/adapters/aws/dynamo-request-store.js';
import { BrokerRunningError, type EmbeddedBroker, startEmbedded } from '../../lambdas/adapters/local/embedded.js';
import { createLocalCipher } from '../../lambdas/adapters/local/local-cipher.js';
import { localDynamoClient } from '../../lambdas/adapters/local/local-dynamo.js';
import { readServerInfo, serverInfoPath } from '../../lambdas/adapters/local/server-info.js';
import { newEntry } from '../../lambdas/core/entries.js';
import { newRequestId } from '../../lambdas/core/ids.js';
import { generateKeyPair, open } from '../../lambdas/core/sealing.js';
import { generateOtpauthUrl } from '../../lambdas/core/totp.js';

let dataDir: string;
let running: EmbeddedBroker[];
let logs: object[];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'stsftw-embedded-'));
  running = [];
  logs = [];
});
afterEach(async () => {
  await Promise.all(running.map((b) => b.close()));
  await rm(dataDir, { recursive: true, force: true });
});

async function json(res: Response): Promise<any> {
  return res.json();
}

async function start(): Promise<EmbeddedBroker> {
  const broker = await startEmbedded({
    dataDir,
    port: 0,
    approvalTimeoutSeconds: 900,
    minter: 'local',
    log: (line) => logs.push(line),
    print: () => {},
  });
  running.push(broker);
  return broker;
}

/** Enrolls alice (approved by bob) and bob straight into the broker's tables; returns a TOTP code source. */
async function enrollPair(broker: EmbeddedBroker): Promise<(account: string) => string> {
  const dynamodb = localDynamoClient(broker.info);
  const auth = new DynamoAuthStore(dynamodb, broker.info.authTableName);
  const cipher = await createLocalCipher(broker.info.keyFile);
  const secrets: Record<string, string> = {};
  for (const [accountName, approvers] of [
    ['alice', ['bob']],
    ['bob', []],
  ] as const) {
    secrets[accountName] = generateOtpauthUrl('acme', accountName);
    const totpSecret = await cipher.encrypt(secrets[accountName], { issuer: 'acme', account_name: accountName });
    const entry = newEntry({
      issuer: 'acme',
      accountName,
      roles: ['Admin'],
      secondaryAuthorization: [...approvers],
      totpSecret,
      now: new Date(),
    });
    await auth.put(entry);
  }
  dynamodb.destroy();
  return (account) => (OTPAuth.URI.parse(secrets[account]) as OTPAuth.TOTP).generate();
}

function post(endpoint: string, path: string, body: object): Promise<Response> {
  return fetch(`${endpoint}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Polls the request until it reaches `status` (bounded by a number of polls, not by a deadline). */
async function waitFor(endpoint: string, id: string, status: string): Promise<any> {
  for (let i = 0; i < 400; i++) {
    const view = await json(await fetch(`${endpoint}/v1/requests/${id}`));
    if (view.status === status) return view;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`request ${id} never reached ${status}`);
}

/** Alice asks for Admin; resolves once the request waits for approval. */
async function requestAsAlice(endpoint: string, code: (account: string) => string) {
  const keys = await generateKeyPair();
  const created = await post(endpoint, '/v1/requests', {
    issuer: 'acme',
    accountName: 'alice',
    role: 'Admin',
    totpCode: code('alice'),
    publicKey: keys.publicKey,
  });
  expect(created.status).toBe(202);
  const { id } = await json(created);
  await waitFor(endpoint, id, 'AWAITING_APPROVAL');
  return { id, keys };
}

describe('startEmbedded', () => {
  it('serves the API over real HTTP on loopback and writes server.json', async () => {
    const broker = await start();
    expect(broker.info.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${broker.info.endpoint}/v1/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'ok' });

    expect(await readServerInfo(dataDir)).toEqual(broker.info);
    expect(broker.info).toMatchObject({
      version: 2,
      dynamodbSocket: join(dataDir, 'dynamodb.sock'),
      pid: process.pid,
      region: 'local',
      authTableName: 'stsftw-auth',
      requestsTableName: 'stsftw-requests',
      keyFile: join(dataDir, 'local.key'),
      auditLog: join(dataDir, 'audit.log'),
      minter: 'local',
      approvalTimeoutSeconds: 900,
    });
    expect((await stat(serverInfoPath(dataDir))).mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(broker.info.keyFile)).mode & 0o777).toBe(0o600);
  });

  it('puts the DynamoDB socket in a private temp dir when the data dir path is too long for one', async () => {
    const base = dataDir;
    dataDir = join(base, 'a-data-dir-whose-path-is-longer-than-a-unix-socket-address-may-be'.repeat(2));
    try {
      const broker = await start();
      const socket = broker.info.dynamodbSocket;
      expect(socket.startsWith(join(tmpdir(), 'stsftw-'))).toBe(true);
      expect((await stat(dirname(socket))).mode & 0o777).toBe(0o700);
      expect((await lstat(socket)).isSocket()).toBe(true);
      await enrollPair(broker);
      await broker.close();
      await expect(stat(dirname(socket))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      dataDir = base; // afterEach removes it, the long one inside with it
    }
  });

  it('answers API errors as problems over HTTP', async () => {
    const broker = await start();
    const res = await fetch(`${broker.info.endpoint}/v1/requests`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'invalid_request' });
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'request', method: 'POST', status: 400 }));
  });

  it('refuses a second broker on the same data dir while the first lives', async () => {
    const first = await start();
    const error = await start().catch((e) => e);
    expect(error).toBeInstanceOf(BrokerRunningError);
    expect(error.message).toContain(`pid ${process.pid}`);
    // The refused start changed nothing: the first one still serves and still owns server.json.
    expect((await fetch(`${first.info.endpoint}/v1/health`)).status).toBe(200);
    expect(await readServerInfo(dataDir)).toEqual(first.info);
  });

  it('closes requests left in flight by a previous run as FAILED/broker_restarted', async () => {
    const first = await start();
    const id = newRequestId();
    const dynamodb = localDynamoClient(first.info);
    await new DynamoRequestStore(dynamodb, first.info.requestsTableName).create({
      id,
      status: 'VERIFYING',
      issuer: 'acme',
      accountName: 'alice',
      role: 'Admin',
      durationSeconds: 900,
      publicKey: 'A'.repeat(43),
      createdAt: new Date().toISOString(),
      decisionDeadline: new Date(Date.now() + 900_000).toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    });
    dynamodb.destroy();
    await first.close();

    const second = await start();
    const res = await fetch(`${second.info.endpoint}/v1/requests/${id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, status: 'FAILED', error: { code: 'broker_restarted' } });
    const audit = (await readFile(second.info.auditLog, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit).toContainEqual(expect.objectContaining({ type: 'request.failed', requestId: id }));
  });

  it('close stops HTTP and removes server.json, and may be called twice', async () => {
    const broker = await start();
    await broker.close();
    await broker.close();
    await expect(stat(serverInfoPath(dataDir))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readServerInfo(dataDir)).rejects.toThrow(/no broker is running/);
    await expect(fetch(`${broker.info.endpoint}/v1/health`)).rejects.toThrow();
    // The data dir is free again.
    const again = await start();
    expect((await fetch(`${again.info.endpoint}/v1/health`)).status).toBe(200);
  });

  it('runs a request through approval to sealed local credentials (wiring smoke test)', async () => {
    const broker = await start();
    const { endpoint } = broker.info;
    const code = await enrollPair(broker);
    const { id, keys } = await requestAsAlice(endpoint, code);

    const approved = await post(endpoint, `/v1/requests/${id}/approve`, { accountName: 'bob', totpCode: code('bob') });
    expect(approved.status).toBe(200);
    const minted = await waitFor(endpoint, id, 'MINTED');
    expect(minted.approvedBy).toBe('bob');
    const credentials = JSON.parse(await open(keys.privateKey, minted.credentials.sealed, id));
    expect(credentials.AccessKeyId).toMatch(/^ASIALOCAL/);
    expect(credentials.SessionToken).toMatch(/^stsftw-local-not-valid-on-aws-/);
    const audit = await readFile(broker.info.auditLog, 'utf8');
    expect(audit).toContain('"request.minted"');
    expect(audit).not.toContain(credentials.SecretAccessKey);
  });

  it('aborts a request waiting for approval on close, and fails it on the next start', async () => {
    const first = await start();
    const code = await enrollPair(first);
    const { id } = await requestAsAlice(first.info.endpoint, code);
    await first.close();

    const second = await start();
    const view = await json(await fetch(`${second.info.endpoint}/v1/requests/${id}`));
    expect(view).toMatchObject({ status: 'FAILED', error: { code: 'broker_restarted' } });
    // Its task token went with it: a late approval is refused, not delivered to a dead execution.
    const late = await post(second.info.endpoint, `/v1/requests/${id}/approve`, {
      accountName: 'bob',
      totpCode: code('bob'),
    });
    expect(late.status).toBe(409);
  });
});

describe('sts server', () => {
  function run(args: string[], signal: AbortSignal) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (chunk) => {
      out += chunk;
    });
    stderr.on('data', (chunk) => {
      err += chunk;
    });
    const exit = buildCli().run(['server', '--data-dir', dataDir, '--port', '0', ...args], {
      stdin: new PassThrough(),
      stdout,
      stderr,
      env: { HOME: dataDir }, // the command reads the config-file profile: never the developer's
      colorDepth: 1,
      signal,
    } as never);
    return { exit, out: () => out, err: () => err };
  }

  async function until(check: () => boolean) {
    for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  }

  it('serves in the foreground, tells a newcomer what to run next, and stops cleanly when signalled', async () => {
    const stop = new AbortController();
    const server = run([], stop.signal);
    await until(() => server.out().includes('listening on'));
    const endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.out())?.[1];
    expect(endpoint).toBeDefined();
    expect((await fetch(`${endpoint}/v1/health`)).status).toBe(200);
    expect(server.out()).toContain(`  sts enroll --local --data-dir ${dataDir} --issuer demo --account-name alice`);
    expect(server.out()).toContain(`  sts request --local --data-dir ${dataDir}`);
    expect(server.out()).toContain(`  sts approve <id> --local --data-dir ${dataDir}`);
    expect((await readServerInfo(dataDir)).endpoint).toBe(endpoint);

    stop.abort();
    expect(await server.exit).toBe(0);
    expect(server.out()).toContain('Stopped.');
    await expect(stat(serverInfoPath(dataDir))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to start where a broker already runs, saying so', async () => {
    const first = await start();
    const stop = new AbortController();
    const second = run([], stop.signal);
    expect(await second.exit).toBe(1);
    expect(second.err()).toBe(
      `sts: a broker is already running in ${dataDir} (pid ${process.pid}, ${first.info.endpoint}) — use it, stop it, or pick another --data-dir\n`,
    );
  });

  it.each([[['--port', '70000']], [['--port', 'http']], [['--approval-timeout', '0']], [['--minter', 'kms']]])(
    'rejects %o before starting anything',
    async (args) => {
      const server = run(args, new AbortController().signal);
      expect(await server.exit).not.toBe(0);
      await expect(stat(serverInfoPath(dataDir))).rejects.toMatchObject({ code: 'ENOENT' });
    },
  );

  it('leaves --data-dir out of the next steps for the default directory', () => {
    const text = nextSteps({
      endpoint: 'http://127.0.0.1:8787',
      dataDir: join(process.cwd(), '.stsftw'),
      minter: 'local',
      startedBy: undefined,
    });
    expect(text).toContain('sts enroll --local --issuer demo');
    expect(text).not.toContain('--data-dir');
    expect(text).toContain('not valid on AWS');
  });
});
