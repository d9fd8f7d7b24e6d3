import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../../support/cli-harness.js';

/**
 * Issue 7 item 14: one exit code (64) for a missing setting across all commands, and every missing setting
 * named in the one message, each with its flag, its variable and (where it is saved) `sts configure`.
 */
describe('missing settings', () => {
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  beforeEach(() => {
    home = tempHome();
    // Nothing configured; a region so the AWS SDK is not what complains.
    env = { HOME: home.home, AWS_REGION: 'eu-west-1' };
  });
  afterEach(() => home.cleanup());

  const endpoint = 'pass --endpoint URL, set STS_ENDPOINT, run `sts configure --endpoint URL`';
  const issuer = 'pass --issuer NAME, set STS_ISSUER, or run `sts configure --issuer NAME`';
  const account = 'pass --account-name NAME, set STS_ACCOUNT_NAME, or run `sts configure --account-name NAME`';
  const role = 'pass --role NAME, set STS_ROLE, or run `sts configure --role NAME`';
  const table = 'pass --table-name NAME, set STS_TABLE_NAME';
  const kms = 'pass --kms-key-id KEY, set STS_KMS_KEY_ID';

  it.each([
    { argv: ['request', '--totp-code', '123456'], names: ['broker endpoint', 'issuer', 'account name', 'role'] },
    { argv: ['get', '--totp-code', '123456'], names: ['broker endpoint', 'issuer', 'account name', 'role'] },
    {
      argv: ['exec', '--totp-code', '123456', '--', 'true'],
      names: ['broker endpoint', 'issuer', 'account name', 'role'],
    },
    { argv: ['approve', 'r_0123456789abcdefghjkmnpqrs'], names: ['broker endpoint', 'account name'] },
    { argv: ['deny', 'r_0123456789abcdefghjkmnpqrs'], names: ['broker endpoint', 'account name'] },
    { argv: ['status', 'r_0123456789abcdefghjkmnpqrs'], names: ['broker endpoint'] },
    { argv: ['enroll', '--no-verify', '--json'], names: ['issuer', 'account name', 'auth table', 'KMS key'] },
    { argv: ['list'], names: ['issuer', 'auth table'] },
    { argv: ['remove', '--yes'], names: ['issuer', 'account name', 'auth table'] },
    { argv: ['update', 'roles', 'admin'], names: ['issuer', 'account name', 'auth table'] },
    { argv: ['update', 'authorizers', 'bob'], names: ['issuer', 'account name', 'auth table'] },
    { argv: ['update', 'device', '--no-verify', '--json'], names: ['issuer', 'account name', 'auth table', 'KMS key'] },
    { argv: ['migrate'], names: ['auth table', 'KMS key'] },
  ])('sts $argv names every missing setting in one line, exit 64', async ({ argv, names }) => {
    const result = await runCli(argv, env);
    expect(result.code, result.stderr).toBe(64);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatch(/^sts: No /);
    for (const name of names) expect(line).toContain(name);
    const ways: Record<string, string> = {
      'broker endpoint': endpoint,
      issuer,
      'account name': account,
      role,
      'auth table': table,
      'KMS key': kms,
    };
    for (const name of names) expect(line).toContain(ways[name]);
    for (const name of Object.keys(ways).filter((n) => !names.includes(n))) expect(line).not.toContain(ways[name]);
  });

  it('says the single missing setting the way it always did', async () => {
    const result = await runCli(['request', '--totp-code', '123456'], {
      ...env,
      STS_ENDPOINT: 'http://127.0.0.1:9',
      STS_ISSUER: 'acme',
      STS_ACCOUNT_NAME: 'alice',
    });
    expect(result).toMatchObject({
      code: 64,
      stderr: 'sts: No role: pass --role NAME, set STS_ROLE, or run `sts configure --role NAME`.\n',
    });
  });

  it('the auth table sentence mentions --local', async () => {
    const result = await runCli(['list', '--issuer', 'acme'], env);
    expect(result).toMatchObject({
      code: 64,
      stderr:
        'sts: No auth table: pass --table-name NAME, set STS_TABLE_NAME (a stack output names it), or use --local for the embedded broker (`sts server`).\n',
    });
  });
});
