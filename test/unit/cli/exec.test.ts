import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeBroker,
  requesterSetup,
  runCli,
  sampleCredentials,
  type tempHome,
} from '../../support/cli-harness.js';

const EXPIRATION = '2030-01-01T00:00:00.000Z';
const node = process.execPath;

describe('sts exec', () => {
  let broker: FakeBroker;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  beforeEach(async () => {
    ({ home, broker, env } = await requesterSetup({ plan: ['MINTED'], credentials: sampleCredentials(EXPIRATION) }));
  });
  afterEach(async () => {
    await broker.close();
    home.cleanup();
  });

  it('runs the command with the credentials and STSFTW_EXEC=1 in its environment', async () => {
    const script =
      'const e = process.env; console.log(JSON.stringify([e.AWS_ACCESS_KEY_ID, e.AWS_SECRET_ACCESS_KEY, e.AWS_SESSION_TOKEN, e.AWS_CREDENTIAL_EXPIRATION, e.STSFTW_EXEC]))';
    const result = await runCli(['exec', '--totp-code', '123456', '--', node, '-e', script], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      'ASIATESTACCESSKEY001',
      'test/secret+key=0123456789abcdefghijklmn',
      'IQoJb3JpZ2luX2VjTESTSESSIONTOKEN/+=',
      EXPIRATION,
      '1',
    ]);
  });

  it('passes the exit code through', async () => {
    const result = await runCli(['exec', '--totp-code', '123456', '--', node, '-e', 'process.exit(7)'], env);
    expect(result.code).toBe(7);
  });

  it('turns a signal into 128 + its number', async () => {
    const result = await runCli(
      ['exec', '--totp-code', '123456', '--', node, '-e', "process.kill(process.pid, 'SIGTERM')"],
      env,
    );
    expect(result.code).toBe(143);
  });

  it('runs without a shell: arguments stay literal', async () => {
    const result = await runCli(
      ['exec', '--totp-code', '123456', '--', node, '-e', 'console.log(process.argv[1])', '$HOME; echo hi'],
      env,
    );
    expect(result.stdout).toBe('$HOME; echo hi\n');
  });

  it('refuses to nest inside another sts exec, before asking the broker', async () => {
    const result = await runCli(['exec', '--totp-code', '123456', '--', node, '-e', '0'], { ...env, STSFTW_EXEC: '1' });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('Already inside `sts exec`');
    expect(broker.calls).toEqual([]);
  });

  it('says when the command does not exist', async () => {
    const result = await runCli(['exec', '--totp-code', '123456', '--', 'no-such-command-sts-test'], env);
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('command not found');
  });

  it('reuses cached credentials for the next command', async () => {
    await runCli(['exec', '--totp-code', '123456', '--', node, '-e', '0'], env);
    const calls = broker.calls.length;
    const second = await runCli(['exec', '--', node, '-e', '0'], env);
    expect(second.code).toBe(0);
    expect(broker.calls.length).toBe(calls);
  });

  const creates = () => broker.calls.filter((call) => call.method === 'POST' && call.path === '/v1/requests');
  const cacheEntries = () => {
    try {
      return readdirSync(join(home.home, '.cache', 'stsftw', 'credentials'));
    } catch {
      return [];
    }
  };

  it('mints afresh when a --reason is given, so the reason reaches the approver and the audit', async () => {
    await runCli(['exec', '--totp-code', '123456', '--', node, '-e', '0'], env);
    expect(creates()).toHaveLength(1);
    const second = await runCli(
      ['exec', '--totp-code', '654321', '--reason', 'rotate keys', '--', node, '-e', '0'],
      env,
    );
    expect(second.code, second.stderr).toBe(0);
    expect(creates()).toHaveLength(2);
    expect(creates()[1].body).toMatchObject({ totpCode: '654321', reason: 'rotate keys' });
  });

  it('--no-cache mints afresh and keeps nothing in the cache', async () => {
    const first = await runCli(['exec', '--no-cache', '--totp-code', '123456', '--', node, '-e', '0'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(cacheEntries()).toEqual([]);
    await runCli(['exec', '--totp-code', '123456', '--', node, '-e', '0'], env);
    expect(cacheEntries()).toHaveLength(1);
    const third = await runCli(['exec', '--no-cache', '--totp-code', '654321', '--', node, '-e', '0'], env);
    expect(third.code, third.stderr).toBe(0);
    expect(creates()).toHaveLength(3);
  });

  it('says so when it reuses cached credentials although a code was given', async () => {
    await runCli(['exec', '--totp-code', '123456', '--', node, '-e', '0'], env);
    const second = await runCli(['exec', '--totp-code', '654321', '--', node, '-e', '0'], env);
    expect(second.code).toBe(0);
    expect(creates()).toHaveLength(1);
    expect(second.stderr).toContain(`Using cached credentials for admin (valid until`);
    expect(second.stderr).toContain('--totp-code was not needed');
    expect(second.stderr).toContain('--no-cache');
    expect(second.stderr).not.toContain('654321');
  });

  describe('region', () => {
    const printRegion = 'console.log(JSON.stringify([process.env.AWS_REGION, process.env.AWS_DEFAULT_REGION]))';
    const withProfileRegion = () => {
      mkdirSync(join(home.home, '.config', 'stsftw'), { recursive: true });
      writeFileSync(
        join(home.home, '.config', 'stsftw', 'config.json'),
        JSON.stringify({ profiles: { default: { region: 'eu-west-1' } } }),
      );
    };
    const regions = async (argv: string[], extraEnv: Record<string, string> = {}) => {
      const result = await runCli(['exec', '--totp-code', '123456', ...argv, '--', node, '-e', printRegion], {
        ...env,
        ...extraEnv,
      });
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout);
    };

    it("sets AWS_REGION and AWS_DEFAULT_REGION from the profile's region", async () => {
      withProfileRegion();
      expect(await regions([])).toEqual(['eu-west-1', 'eu-west-1']);
    });

    it('never overrides a region the environment already sets', async () => {
      withProfileRegion();
      expect(await regions([], { AWS_REGION: 'us-east-2' })).toEqual(['us-east-2', null]);
      expect(await regions([], { AWS_DEFAULT_REGION: 'ap-south-1' })).toEqual([null, 'ap-south-1']);
    });

    it('--region, given on the command line, sets both', async () => {
      withProfileRegion();
      expect(await regions(['--region', 'sa-east-1'], { AWS_REGION: 'us-east-2' })).toEqual(['sa-east-1', 'sa-east-1']);
    });

    it('sets nothing when no region is known', async () => {
      expect(await regions([])).toEqual([null, null]);
    });
  });
});
