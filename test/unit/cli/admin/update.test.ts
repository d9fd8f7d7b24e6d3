import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { matchStep, timeStep } from '../../../../lambdas/core/totp.js';
import {
  codeAt,
  freezeDate,
  type LocalBroker,
  NOW,
  runCli,
  ScriptedTerminal,
  shownUrl,
  startLocalBroker,
  twoStepTerminal,
} from '../../../support/cli-harness.js';

describe('sts update', () => {
  let broker: LocalBroker;
  let n = 0;
  let account: string;
  let who: string[];
  let firstUrl: string;

  beforeAll(async () => {
    broker = await startLocalBroker();
  });
  afterAll(async () => {
    await broker.close();
  });
  freezeDate();
  beforeEach(async () => {
    account = `user${++n}`;
    who = [...broker.localArgs, '--issuer', 'acme', '--account-name', account];
    const enrolled = await runCli([
      'enroll',
      ...who,
      '--roles',
      'admin',
      '--secondary-authorizers',
      'bob',
      '--no-verify',
      '--json',
    ]);
    firstUrl = JSON.parse(enrolled.stdout).otpauthUrl;
  });

  describe('roles', () => {
    it('replaces the roles (positional, commas or spaces)', async () => {
      const result = await runCli(['update', 'roles', 'readonly,deploy', 'arn:aws:iam::123456789012:role/x', ...who]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`Roles of ${account} in acme: readonly, deploy, arn:aws:iam::123456789012:role/x.\n`);
      expect((await broker.rawItem('acme', account))?.roles).toEqual({
        L: [{ S: 'readonly' }, { S: 'deploy' }, { S: 'arn:aws:iam::123456789012:role/x' }],
      });
    });

    it('accepts the STSFTW 1.0 --roles flag and prints JSON', async () => {
      const result = await runCli(['update', 'roles', '--roles', 'ops', ...who, '--json']);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ accountName: account, roles: ['ops'], hasSecret: true });
    });

    it('removes all roles only with --none', async () => {
      expect(await runCli(['update', 'roles', ...who])).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('--none'),
      });
      expect((await runCli(['update', 'roles', '--none', ...who])).code).toBe(0);
      expect((await broker.rawItem('acme', account))?.roles).toEqual({ L: [] });
    });

    it('refuses a bad role and changes nothing', async () => {
      const result = await runCli(['update', 'roles', 'bad role!', ...who]);
      expect(result.code).toBe(2);
      expect((await broker.rawItem('acme', account))?.roles).toEqual({ L: [{ S: 'admin' }] });
    });

    it('never creates an entry (STSFTW 1.0 did)', async () => {
      const result = await runCli([
        'update',
        'roles',
        'admin',
        ...broker.localArgs,
        '--issuer',
        'acme',
        '--account-name',
        'ghost',
      ]);
      expect(result.code).toBe(5);
      expect(result.stderr).toBe('sts: ghost is not enrolled in acme: check the names, or run `sts enroll`.\n');
      expect(await broker.rawItem('acme', 'ghost')).toBeUndefined();
    });
  });

  describe('authorizers', () => {
    it('replaces the secondary authorizers and warns about unknown ones', async () => {
      const result = await runCli(['update', 'authorizers', 'carol', 'dave', ...who]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`Secondary authorizers of ${account} in acme: carol, dave.\n`);
      expect(result.stderr).toContain('warning: carol is not enrolled in acme yet');
      expect((await broker.rawItem('acme', account))?.secondary_authorization).toEqual({
        L: [{ S: 'carol' }, { S: 'dave' }],
      });
    });

    it('refuses the account itself', async () => {
      const result = await runCli(['update', 'authorizers', account, ...who]);
      expect(result).toMatchObject({ code: 2, stderr: 'sts: An account cannot be its own secondary authorizer.\n' });
    });

    it('clears them with --none', async () => {
      expect((await runCli(['update', 'authorizers', '--none', ...who])).code).toBe(0);
      expect((await broker.rawItem('acme', account))?.secondary_authorization).toEqual({ L: [] });
    });
  });

  describe('device', () => {
    it('replaces the secret after two codes, resets the lockout and marks the step used', async () => {
      const { UpdateItemCommand } = await import('@aws-sdk/client-dynamodb');
      await broker.client.send(
        new UpdateItemCommand({
          TableName: 'stsftw-auth',
          Key: { issuer: { S: 'acme' }, account_name: { S: account } },
          UpdateExpression: 'SET failed_attempts = :n, locked_until = :until',
          ExpressionAttributeValues: { ':n': { N: '4' }, ':until': { S: '2999-01-01T00:00:00.000Z' } },
        }),
      );
      const terminal = twoStepTerminal(NOW);
      const result = await runCli(['update', 'device', ...who], {}, { terminal });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`Replaced the TOTP device of ${account} in acme.\n`);
      const newUrl = shownUrl(terminal.transcript);
      expect(newUrl).not.toBe(firstUrl);

      const item = await broker.rawItem('acme', account);
      expect(await broker.cipher.decrypt(item!.totp_secret.S!, { issuer: 'acme', account_name: account })).toBe(newUrl);
      expect(item?.failed_attempts).toEqual({ N: '0' });
      expect(item?.locked_until).toBeUndefined();
      expect(item?.last_step).toEqual({ N: String(timeStep(NOW)) });
      expect(item?.roles).toEqual({ L: [{ S: 'admin' }] });
      // The old device's codes no longer match.
      expect(matchStep(newUrl, codeAt(firstUrl, NOW), NOW)).toBeNull();
    });

    it('keeps the old secret when verification fails', async () => {
      const before = (await broker.rawItem('acme', account))?.totp_secret;
      const result = await runCli(['update', 'device', ...who], {}, { terminal: new ScriptedTerminal(() => '123') });
      expect(result.code).toBe(3);
      expect((await broker.rawItem('acme', account))?.totp_secret).toEqual(before);
    });

    it('prints the new URL with --json --no-verify', async () => {
      const result = await runCli(['update', 'device', ...who, '--json', '--no-verify']);
      expect(result.code).toBe(0);
      const { otpauthUrl } = JSON.parse(result.stdout);
      const item = await broker.rawItem('acme', account);
      expect(await broker.cipher.decrypt(item!.totp_secret.S!, { issuer: 'acme', account_name: account })).toBe(
        otpauthUrl,
      );
    });

    it('refuses an account that is not enrolled before showing anything', async () => {
      const terminal = new ScriptedTerminal(() => '000000');
      const args = ['update', 'device', ...broker.localArgs, '--issuer', 'acme', '--account-name', 'ghost'];
      const result = await runCli(args, {}, { terminal });
      expect(result.code).toBe(5);
      expect(terminal.said).toEqual([]);
    });
  });
});
