import { randomBytes } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EncryptCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AUTH_TABLE,
  type LocalBroker,
  runCli,
  ScriptedTerminal,
  startLocalBroker,
} from '../../../support/cli-harness.js';

/**
 * Against "AWS": DynamoDB is dynalite reached through AWS_ENDPOINT_URL_DYNAMODB (which the SDK applies itself,
 * proving the CLI does not override it), KMS is mocked.
 */
describe('administrator commands on AWS (KMS)', () => {
  let broker: LocalBroker;
  const kms = mockClient(KMSClient);
  const env = { AWS_REGION: 'eu-west-1', STS_TABLE_NAME: AUTH_TABLE, STS_KMS_KEY_ID: 'alias/stsftw' };

  beforeAll(async () => {
    broker = await startLocalBroker();
  });
  afterAll(async () => {
    await broker.close();
  });
  beforeEach(() => {
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', broker.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_PROFILE', '');
    kms.on(EncryptCommand).callsFake(async () => ({ CiphertextBlob: randomBytes(64), KeyId: 'arn:aws:kms:key' }));
  });
  afterEach(() => {
    kms.reset();
    vi.unstubAllEnvs();
  });

  it('encrypts the secret with KMS under the {issuer, account_name} context', async () => {
    const result = await runCli(
      ['enroll', '--issuer', 'acme', '--account-name', 'alice', '--roles', 'admin', '--no-verify', '--json'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const { otpauthUrl } = JSON.parse(result.stdout);
    expect(kms).toHaveReceivedCommandTimes(EncryptCommand, 1);
    expect(kms).toReceiveCommandWith(EncryptCommand, {
      KeyId: 'alias/stsftw',
      EncryptionContext: { issuer: 'acme', account_name: 'alice' },
    });
    const sent = kms.commandCalls(EncryptCommand)[0].args[0].input;
    expect(new TextDecoder().decode(sent.Plaintext)).toBe(otpauthUrl);
    const item = await broker.rawItem('acme', 'alice');
    expect(item?.totp_secret?.S).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.stringify(item)).not.toContain('otpauth');
  });

  it('takes the table, key and region from flags too', async () => {
    const argv = ['enroll', '--issuer', 'acme', '--account-name', 'bob', '--no-verify', '--json'];
    const flags = [
      '--table-name',
      AUTH_TABLE,
      '--kms-key-id',
      'arn:aws:kms:eu-west-1:123456789012:key/k',
      '--region',
      'eu-west-1',
    ];
    expect((await runCli([...argv, ...flags])).code).toBe(0);
    expect(kms).toReceiveCommandWith(EncryptCommand, { KeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k' });
  });

  it('requires a KMS key before showing anything', async () => {
    const terminal = new ScriptedTerminal(() => '000000');
    const result = await runCli(
      ['enroll', '--issuer', 'acme', '--account-name', 'carol'],
      { ...env, STS_KMS_KEY_ID: undefined },
      { terminal },
    );
    expect(result.code).toBe(64);
    expect(result.stderr).toBe(
      'sts: No KMS key for the TOTP secrets: pass --kms-key-id KEY, set STS_KMS_KEY_ID (a stack output names it), or use --local for the embedded broker (`sts server`).\n',
    );
    expect(terminal.said).toEqual([]);
    expect(await broker.rawItem('acme', 'carol')).toBeUndefined();
  });

  it('requires a table name', async () => {
    const result = await runCli(['list', '--issuer', 'acme'], { AWS_REGION: 'eu-west-1' });
    expect(result).toMatchObject({
      code: 64,
      stderr:
        'sts: No auth table: pass --table-name NAME, set STS_TABLE_NAME (a stack output names it), or use --local for the embedded broker (`sts server`).\n',
    });
  });

  it('lists without touching KMS', async () => {
    const result = await runCli(['list', '--issuer', 'acme', '--json'], { ...env, STS_KMS_KEY_ID: undefined });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).length).toBeGreaterThan(0);
    expect(kms).toHaveReceivedCommandTimes(EncryptCommand, 0);
  });

  it('sets and clears approval rules on the AWS table without KMS, and names no --local in its advice', async () => {
    const noKms = { ...env, STS_KMS_KEY_ID: undefined };
    for (const name of ['sec1', 'sec2']) {
      expect(
        (await runCli(['enroll', '--issuer', 'aws-team', '--account-name', name, '--no-verify', '--json'], env)).code,
      ).toBe(0);
    }
    const who = ['--issuer', 'aws-team', '--account-name', 'erin'];
    const enrolled = await runCli(
      [
        'enroll',
        ...who,
        '--roles',
        'Admin,BreakGlass',
        '--approvals',
        'BreakGlass=2:sec1,sec2',
        '--no-verify',
        '--json',
      ],
      env,
    );
    expect(enrolled.code, enrolled.stderr).toBe(0);
    kms.resetHistory();

    const set = await runCli(['update', 'approvals', ...who, 'Admin=0'], noKms);
    expect(set).toMatchObject({
      code: 0,
      stdout: 'Approval rules of erin in aws-team: BreakGlass=2:sec1,sec2, Admin=0.\n',
    });
    const refused = await runCli(['update', 'roles', 'Admin', ...who], noKms);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '(`sts update approvals --issuer aws-team --account-name erin --clear BreakGlass`)',
    );
    const cleared = await runCli(['update', 'approvals', ...who, '--clear', 'BreakGlass', '--clear', 'Admin'], noKms);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect((await broker.rawItem('aws-team', 'erin'))?.approval_rules).toBeUndefined();
    expect(kms).toHaveReceivedCommandTimes(EncryptCommand, 0);
  });

  it('explains a KMS failure in one sentence, without the SDK message', async () => {
    kms
      .on(EncryptCommand)
      .rejects(new NotFoundException({ $metadata: {}, message: 'Alias arn:secret-detail is not found.' }));
    const result = await runCli(['enroll', '--issuer', 'acme', '--account-name', 'dave', '--no-verify', '--json'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('sts: Encryption of the TOTP secret failed (NotFoundException).\n');
    expect(result.stderr).not.toContain('secret-detail');
    expect(await broker.rawItem('acme', 'dave')).toBeUndefined();
  });

  it('migrates a 1.0 table with KMS, one context per entry', async () => {
    await broker.createAuthTable('sts-v1');
    for (const name of ['x', 'y']) {
      await broker.client.send(
        new PutItemCommand({
          TableName: 'sts-v1',
          Item: {
            issuer: { S: 'acme' },
            account_name: { S: name },
            url: { S: `otpauth://totp/acme:${name}?secret=JBSWY3DPEHPK3PXP&issuer=acme` },
          },
        }),
      );
    }
    const result = await runCli(['migrate', '--table-name', 'sts-v1'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('migrated 2, already done 0, skipped 0.\n');
    expect(kms).toReceiveCommandWith(EncryptCommand, { EncryptionContext: { issuer: 'acme', account_name: 'x' } });
    expect(kms).toReceiveCommandWith(EncryptCommand, { EncryptionContext: { issuer: 'acme', account_name: 'y' } });
    expect(JSON.stringify(await broker.rawItem('acme', 'x', 'sts-v1'))).not.toContain('JBSWY3DPEHPK3PXP');
  });
});
