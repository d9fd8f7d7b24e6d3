/**
 * The administrator commands end to end: the real `sts` command line (buildCli) against a real embedded
 * broker (`startEmbedded`: dynalite, the local key, server.json), then the broker's HTTP API proving that
 * what `sts enroll` and `sts migrate` stored actually authenticates.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AttributeValue, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import dynalite from 'dynalite';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureTables } from '../../lambdas/adapters/aws/tables.js';
import { type EmbeddedBroker, startEmbedded } from '../../lambdas/adapters/local/embedded.js';
import { createLocalCipher } from '../../lambdas/adapters/local/local-cipher.js';
import { localDynamoClient } from '../../lambdas/adapters/local/local-dynamo.js';
import { generateKeyPair } from '../../lambdas/core/sealing.js';
import { runCli, ScriptedTerminal } from '../support/cli-harness.js';

const ISSUER = 'acme';

const totp = (url: string) => OTPAuth.URI.parse(url) as OTPAuth.TOTP;
const secretOf = (url: string) => totp(url).secret.base32;

describe('administrator commands against the embedded broker', () => {
  let dataDir: string;
  let broker: EmbeddedBroker;
  let dynamodb: DynamoDBClient;
  let local: string[];
  const urls: Record<string, string> = {};

  const rawItem = async (accountName: string, table = broker.info.authTableName, issuer = ISSUER) =>
    (
      await dynamodb.send(
        new GetItemCommand({ TableName: table, Key: { issuer: { S: issuer }, account_name: { S: accountName } } }),
      )
    ).Item;

  const post = async (path: string, body: object) => {
    const response = await fetch(`${broker.info.endpoint}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  const settle = async (id: string, wanted: string[]) => {
    for (let i = 0; i < 400; i++) {
      const view = (await (await fetch(`${broker.info.endpoint}/v1/requests/${id}`)).json()) as any;
      if (wanted.includes(view.status)) return view;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`request ${id} never reached ${wanted.join('/')}`);
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stsftw-admin-'));
    broker = await startEmbedded({
      dataDir,
      port: 0,
      approvalTimeoutSeconds: 900,
      minter: 'local',
      log: () => {},
      print: () => {},
    });
    dynamodb = localDynamoClient(broker.info);
    local = ['--local', '--data-dir', dataDir, '--issuer', ISSUER];
  });
  afterAll(async () => {
    dynamodb?.destroy();
    await broker?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('enrolls with --no-verify --json for automation', async () => {
    const result = await runCli([
      'enroll',
      ...local,
      '--account-name',
      'alice',
      '--roles',
      'Admin',
      '--secondary-authorizers',
      'bob',
      '--no-verify',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ issuer: ISSUER, accountName: 'alice' });
    urls.alice = out.otpauthUrl;
    expect(totp(urls.alice)).toMatchObject({ issuer: ISSUER, label: 'alice', digits: 6, period: 30 });
  });

  it('enrolls after two codes from different time steps, computed from the URL it showed', async () => {
    // Ten minutes in the past, so the steps used here are older than the real ones used with the API below.
    const at = new Date(Date.now() - 600_000);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(at);
    try {
      let asked = 0;
      const terminal = new ScriptedTerminal((_question, transcript) => {
        const url = /otpauth:\/\/\S+/.exec(transcript)![0];
        return totp(url).generate({ timestamp: at.getTime() - (asked++ === 0 ? 30_000 : 0) });
      });
      const result = await runCli(
        ['enroll', ...local, '--account-name', 'bob', '--roles', 'ReadOnly'],
        {},
        { terminal },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('Enrolled bob in acme (roles: ReadOnly; secondary authorizers: none).\n');
      urls.bob = /otpauth:\/\/\S+/.exec(terminal.said.join(''))![0];
      expect(asked).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('lists the accounts without any secret', async () => {
    const result = await runCli(['list', ...local, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      expect.objectContaining({
        accountName: 'alice',
        roles: ['Admin'],
        secondaryAuthorization: ['bob'],
        hasSecret: true,
      }),
      expect.objectContaining({ accountName: 'bob', roles: ['ReadOnly'], secondaryAuthorization: [], hasSecret: true }),
    ]);
    const table = await runCli(['list', ...local]);
    for (const output of [result.stdout, table.stdout]) {
      expect(output).not.toContain('otpauth');
      for (const url of Object.values(urls)) expect(output).not.toContain(secretOf(url));
    }
  });

  it('stores neither the URL nor the base32 secret in the table', async () => {
    for (const name of ['alice', 'bob']) {
      const raw = JSON.stringify(await rawItem(name));
      expect(raw).not.toContain('otpauth');
      expect(raw).not.toContain(secretOf(urls[name]));
      expect(raw).not.toContain('"url"');
    }
  });

  it('refuses to overwrite an entry without --force', async () => {
    const result = await runCli(['enroll', ...local, '--account-name', 'alice', '--no-verify', '--json']);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/^sts: alice is already enrolled in acme: .*--force/);
    expect(result.stdout).toBe('');
  });

  it('enrolled secrets authenticate with the broker: request, approval, minted credentials', async () => {
    const keys = await generateKeyPair();
    const created = await post('/v1/requests', {
      issuer: ISSUER,
      accountName: 'alice',
      role: 'Admin',
      totpCode: totp(urls.alice).generate(),
      publicKey: keys.publicKey,
    });
    expect(created.status).toBe(202);
    await settle(created.body.id, ['AWAITING_APPROVAL']);
    const approved = await post(`/v1/requests/${created.body.id}/approve`, {
      accountName: 'bob',
      totpCode: totp(urls.bob).generate(),
    });
    expect(approved.status).toBe(200);
    expect(await settle(created.body.id, ['MINTED', 'REJECTED', 'FAILED'])).toMatchObject({
      status: 'MINTED',
      approvedBy: 'bob',
    });
  });

  it('updates roles, authorizers and the device', async () => {
    const roles = await runCli(['update', 'roles', 'Admin', 'ReadOnly', ...local, '--account-name', 'alice']);
    expect(roles).toMatchObject({ code: 0, stdout: 'Roles of alice in acme: Admin, ReadOnly.\n' });
    const authorizers = await runCli(['update', 'authorizers', 'bob,carol', ...local, '--account-name', 'alice']);
    expect(authorizers.code).toBe(0);
    expect(authorizers.stderr).toContain('warning: carol is not enrolled in acme yet');

    const before = (await rawItem('bob'))?.totp_secret;
    const device = await runCli(['update', 'device', ...local, '--account-name', 'bob', '--no-verify', '--json']);
    expect(device.code, device.stderr).toBe(0);
    const { otpauthUrl } = JSON.parse(device.stdout);
    expect(secretOf(otpauthUrl)).not.toBe(secretOf(urls.bob));
    expect((await rawItem('bob'))?.totp_secret).not.toEqual(before);
    const cipher = await createLocalCipher(broker.info.keyFile);
    const stored = (await rawItem('bob'))!.totp_secret.S!;
    expect(await cipher.decrypt(stored, { issuer: ISSUER, account_name: 'bob' })).toBe(otpauthUrl);

    const view = JSON.parse((await runCli(['list', ...local, '--json'])).stdout);
    expect(view[0]).toMatchObject({
      accountName: 'alice',
      roles: ['Admin', 'ReadOnly'],
      secondaryAuthorization: ['bob', 'carol'],
    });
  });

  it('removes an account', async () => {
    const result = await runCli(['remove', ...local, '--account-name', 'alice', '--yes']);
    expect(result).toMatchObject({ code: 0, stdout: 'Removed alice from acme.\n' });
    expect(await rawItem('alice')).toBeUndefined();
    const again = await runCli(['remove', ...local, '--account-name', 'alice', '--yes']);
    expect(again.code).toBe(5);
  });

  it('migrates an STSFTW 1.0 entry in place, idempotently, and it then authenticates', async () => {
    const url = new OTPAuth.TOTP({
      issuer: ISSUER,
      label: 'dave',
      secret: new OTPAuth.Secret({ size: 20 }),
    }).toString();
    const v1: Record<string, AttributeValue> = {
      issuer: { S: ISSUER },
      account_name: { S: 'dave' },
      url: { S: url },
      roles: { SS: ['Admin'] },
      secondary_authorization: { NULL: true },
    };
    await dynamodb.send(new PutItemCommand({ TableName: broker.info.authTableName, Item: v1 }));
    await dynamodb.send(
      new PutItemCommand({
        TableName: broker.info.authTableName,
        Item: { ...v1, account_name: { S: 'erin' }, url: { S: '' } },
      }),
    );
    // Before: a plaintext-only entry never authenticates in 2.0.
    const keys = await generateKeyPair();
    const refused = await post('/v1/requests', {
      issuer: ISSUER,
      accountName: 'dave',
      role: 'Admin',
      totpCode: totp(url).generate(),
      publicKey: keys.publicKey,
    });
    expect(refused.status).toBe(202);
    expect(await settle(refused.body.id, ['REJECTED', 'MINTED', 'FAILED'])).toMatchObject({
      status: 'REJECTED',
      error: { code: 'invalid_credentials' },
    });

    const first = await runCli(['migrate', '--local', '--data-dir', dataDir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^migrated 1, already done 1, skipped 1 \(no TOTP secret .*: acme\/erin\)\.\n$/);
    const raw = JSON.stringify(await rawItem('dave'));
    expect(raw).not.toContain('otpauth');
    expect(raw).not.toContain(secretOf(url));
    expect((await rawItem('dave'))?.roles).toEqual({ L: [{ S: 'Admin' }] });

    const second = await runCli(['migrate', '--local', '--data-dir', dataDir, '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({
      migrated: 0,
      alreadyDone: 2,
      skipped: [{ accountName: 'erin' }],
    });

    // After: the same device works (with the next step's code, accepted by the ±1 window, in case the
    // refused attempt above left its step behind).
    const accepted = await post('/v1/requests', {
      issuer: ISSUER,
      accountName: 'dave',
      role: 'Admin',
      totpCode: totp(url).generate({ timestamp: Date.now() + 30_000 }),
      publicKey: keys.publicKey,
    });
    expect(accepted.status).toBe(202);
    expect(await settle(accepted.body.id, ['MINTED', 'REJECTED', 'FAILED'])).toMatchObject({ status: 'MINTED' });
  });

  it.each([
    [
      ['enroll', '--local', '--data-dir', '<dir>', '--issuer', 'a:b', '--account-name', 'x', '--no-verify', '--json'],
      2,
      'The issuer must be',
    ],
    [
      ['update', 'roles', 'Admin', '--local', '--data-dir', '<dir>', '--issuer', ISSUER, '--account-name', 'nobody'],
      5,
      'nobody is not enrolled in acme',
    ],
    [
      ['enroll', '--local', '--data-dir', '<dir>', '--issuer', ISSUER, '--account-name', 'x', '--json'],
      2,
      'add --no-verify',
    ],
    [
      ['list', '--local', '--data-dir', '/nonexistent', '--issuer', ISSUER],
      69,
      'No local broker found in /nonexistent: start one with `sts server --data-dir /nonexistent`',
    ],
  ])('answers bad input %j with exit code %i and one sentence', async (argv, code, text) => {
    const result = await runCli(argv.map((arg) => (arg === '<dir>' ? dataDir : arg)));
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(text);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('encrypts with KMS under {issuer, account_name} on AWS (mocked KMS, DynamoDB by AWS_ENDPOINT_URL_DYNAMODB)', async () => {
    // "AWS" DynamoDB: a dynalite of its own on a TCP port (the embedded broker's is on a Unix socket).
    const aws = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => aws.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(aws.address() as AddressInfo).port}`;
    const awsDynamo = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    });
    const tableName = 'stsftw-auth-on-aws';
    await ensureTables(awsDynamo, { authTableName: tableName, requestsTableName: 'unused' }, { pollIntervalMs: 10 });
    const kms = mockClient(KMSClient);
    kms.on(EncryptCommand).callsFake(async () => ({ CiphertextBlob: randomBytes(48) }));
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    try {
      const env = {
        AWS_REGION: 'us-east-1',
        STS_TABLE_NAME: tableName,
        STS_KMS_KEY_ID: 'alias/stsftw',
      };
      const result = await runCli(
        ['enroll', '--issuer', 'aws-team', '--account-name', 'ops', '--no-verify', '--json'],
        env,
      );
      expect(result.code, result.stderr).toBe(0);
      expect(kms).toReceiveCommandWith(EncryptCommand, {
        KeyId: 'alias/stsftw',
        EncryptionContext: { issuer: 'aws-team', account_name: 'ops' },
      });
      const { Item: item } = await awsDynamo.send(
        new GetItemCommand({ TableName: tableName, Key: { issuer: { S: 'aws-team' }, account_name: { S: 'ops' } } }),
      );
      expect(item?.totp_secret?.S).toBeDefined();
      expect(JSON.stringify(item)).not.toContain(secretOf(JSON.parse(result.stdout).otpauthUrl));
    } finally {
      kms.restore();
      vi.unstubAllEnvs();
      awsDynamo.destroy();
      await new Promise((resolve) => aws.close(resolve));
    }
  });

  it('runs as a child process (`sts list` through tsx)', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', 'list', ...local, '--json'],
      { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
    );
    expect(JSON.parse(stdout).map((view: { accountName: string }) => view.accountName)).toEqual([
      'bob',
      'dave',
      'erin',
    ]);
  });
});
