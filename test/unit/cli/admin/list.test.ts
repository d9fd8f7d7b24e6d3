import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_TABLE, type LocalBroker, runCli, startLocalBroker } from '../../../support/cli-harness.js';

describe('sts list', () => {
  let broker: LocalBroker;
  const enrolled: Record<string, string> = {};

  beforeAll(async () => {
    broker = await startLocalBroker();
    for (const [name, roles, authorizers] of [
      ['alice', 'admin,readonly', 'bob'],
      ['bob', 'readonly', ''],
    ]) {
      const argv = ['enroll', ...broker.localArgs, '--issuer', 'acme', '--account-name', name, '--no-verify', '--json'];
      const result = await runCli([
        ...argv,
        '--roles',
        roles,
        ...(authorizers ? ['--secondary-authorizers', authorizers] : []),
      ]);
      enrolled[name] = JSON.parse(result.stdout).otpauthUrl;
    }
    await runCli([
      'enroll',
      ...broker.localArgs,
      '--issuer',
      'other',
      '--account-name',
      'zed',
      '--no-verify',
      '--json',
    ]);
    // Locked until far in the future, and an entry without a secret (as STSFTW 1.0 allowed).
    await broker.client.send(
      new PutItemCommand({
        TableName: AUTH_TABLE,
        Item: {
          issuer: { S: 'acme' },
          account_name: { S: 'carol' },
          roles: { SS: ['ops'] },
          locked_until: { S: '2999-01-01T00:00:00.000Z' },
        },
      }),
    );
  });
  afterAll(async () => {
    await broker.close();
  });

  it('prints a table of the issuer without secrets', async () => {
    const result = await runCli(['list', ...broker.localArgs, '--issuer', 'acme']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ACCOUNT\s+ROLES\s+AUTHORIZERS\s+DEVICE\s+LOCKED UNTIL\s+APPROVALS$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      ['alice', 'admin,readonly', 'bob', 'yes', '-', '1 of the secondary authorizers'],
      ['bob', 'readonly', '-', 'yes', '-', 'none needed'],
      ['carol', 'ops', '-', 'MISSING', '2999-01-01T00:00:00.000Z', 'none needed'],
    ]);
    expect(result.stdout).not.toContain('zed');
  });

  it('prints JSON views, never the secret', async () => {
    const result = await runCli(['list', ...broker.localArgs, '--issuer', 'acme', '--json']);
    expect(result.code).toBe(0);
    const views = JSON.parse(result.stdout);
    expect(views.map((v: { accountName: string }) => v.accountName)).toEqual(['alice', 'bob', 'carol']);
    expect(views[0]).toMatchObject({ roles: ['admin', 'readonly'], secondaryAuthorization: ['bob'], hasSecret: true });
    expect(views[0]).not.toHaveProperty('totpSecret');
    for (const url of Object.values(enrolled)) {
      expect(result.stdout).not.toContain(new URL(url).searchParams.get('secret'));
    }
    expect(result.stdout).not.toMatch(/otpauth|totp_secret|totpSecret/);
  });

  it('says so when an issuer has no accounts', async () => {
    const result = await runCli(['list', ...broker.localArgs, '--issuer', 'nobody']);
    expect(result).toEqual({ code: 0, stdout: '', stderr: 'No accounts are enrolled in nobody.\n' });
  });

  it('explains a missing broker in the data dir', async () => {
    const result = await runCli(['list', '--local', '--data-dir', '/nonexistent/stsftw', '--issuer', 'acme']);
    expect(result.code).toBe(69); // as `sts get` etc. say for a broker they cannot reach
    // The CLI's own sentence, the same as `sts request --local` prints, with a command that runs as printed.
    expect(result.stderr).toBe(
      'sts: No local broker found in /nonexistent/stsftw: start one with `sts server --data-dir /nonexistent/stsftw`, or drop --local.\n',
    );
  });

  it('explains a missing table', async () => {
    const result = await runCli(['list', ...broker.localArgs, '--table-name', 'nope', '--issuer', 'acme']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'sts: Table "nope" does not exist in the local broker: check --table-name or restart `sts server`.\n',
    );
  });
});
