import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeBroker,
  requesterSetup,
  runCli,
  sampleCredentials,
  type tempHome,
} from '../../support/cli-harness.js';

/**
 * Issue 7 item 10: the flags STSFTW 1.0's `sts` took on every command (cmd/root.go: `--table-name`,
 * `--endpoint`, `--issuer`, `--account-name`, `--log-level`) keep 1.0 scripts running: where they no longer
 * apply they are accepted and ignored with a one-line note, never `Unsupported option name`.
 */
describe('STSFTW 1.0 flags', () => {
  let broker: FakeBroker;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  beforeEach(async () => {
    ({ home, broker, env } = await requesterSetup({
      plan: ['VERIFYING', 'MINTED'],
      credentials: sampleCredentials('2030-01-01T00:00:00.000Z'),
    }));
  });
  afterEach(async () => {
    await broker.close();
    home.cleanup();
  });

  it('sts get takes --log-level and --table-name, notes once each that they are ignored, and delivers', async () => {
    const result = await runCli(
      [
        'get',
        '--log-level',
        'debug',
        '--table-name=sts-auth',
        '--secondary-authorizer',
        'bob',
        '--totp-code',
        '123456',
        '--secondary-totp-code',
        '654321',
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('export AWS_ACCESS_KEY_ID=ASIATESTACCESSKEY001');
    const notes = result.stderr.split('\n').filter((line) => line.startsWith('sts: note:'));
    expect(notes).toEqual([
      'sts: note: --log-level (an STSFTW 1.0 flag) is ignored: sts 2 prints no logs; STS_DEBUG=1 shows the details of an unexpected error.',
      'sts: note: --table-name (an STSFTW 1.0 flag) is ignored by `sts get`: the broker reads its own auth table.',
    ]);
    expect(result.stderr).not.toContain('Unsupported option');
  });

  it('says nothing when the 1.0 flags are not given', async () => {
    const result = await runCli(
      ['get', '--secondary-authorizer', 'bob', '--totp-code', '123456', '--secondary-totp-code', '654321'],
      env,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('note:');
  });

  it.each([
    ['list'],
    ['enroll', '--account-name', 'alice'],
    ['update', 'roles', '--account-name', 'alice', 'admin'],
    ['update', 'authorizers', '--account-name', 'alice', 'bob'],
  ])('sts %s accepts --log-level and --endpoint, as 1.0 did', async (...argv) => {
    // No auth table anywhere: the command gets as far as asking for it, past the option parser.
    const result = await runCli(
      [...argv, '--issuer', 'acme', '--log-level', 'warn', '--endpoint', 'https://sts.example.com'],
      env,
    );
    expect(result.stderr).not.toContain('Unsupported option');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'sts: note: --log-level (an STSFTW 1.0 flag) is ignored: sts 2 prints no logs; STS_DEBUG=1 shows the details of an unexpected error.',
      'sts: note: --endpoint is ignored by administration commands: they work on the auth table (--table-name, or --local), not through the broker.',
    ]);
    expect(result.code).toBe(64);
    expect(lines[2]).toMatch(/^sts: No auth table/);
  });
});
