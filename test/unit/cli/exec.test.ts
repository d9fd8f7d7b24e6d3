import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeBroker, sampleCredentials } from './fake-broker.js';
import { requesterSetup, runSts, type tempHome } from './harness.js';

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
    const result = await runSts(['exec', '--totp-code', '123456', '--', node, '-e', script], env);
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
    const result = await runSts(['exec', '--totp-code', '123456', '--', node, '-e', 'process.exit(7)'], env);
    expect(result.code).toBe(7);
  });

  it('turns a signal into 128 + its number', async () => {
    const result = await runSts(
      ['exec', '--totp-code', '123456', '--', node, '-e', "process.kill(process.pid, 'SIGTERM')"],
      env,
    );
    expect(result.code).toBe(143);
  });

  it('runs without a shell: arguments stay literal', async () => {
    const result = await runSts(
      ['exec', '--totp-code', '123456', '--', node, '-e', 'console.log(process.argv[1])', '$HOME; echo hi'],
      env,
    );
    expect(result.stdout).toBe('$HOME; echo hi\n');
  });

  it('refuses to nest inside another sts exec, before asking the broker', async () => {
    const result = await runSts(['exec', '--totp-code', '123456', '--', node, '-e', '0'], { ...env, STSFTW_EXEC: '1' });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('Already inside `sts exec`');
    expect(broker.calls).toEqual([]);
  });

  it('says when the command does not exist', async () => {
    const result = await runSts(['exec', '--totp-code', '123456', '--', 'no-such-command-sts-test'], env);
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('command not found');
  });

  it('reuses cached credentials for the next command', async () => {
    await runSts(['exec', '--totp-code', '123456', '--', node, '-e', '0'], env);
    const calls = broker.calls.length;
    const second = await runSts(['exec', '--', node, '-e', '0'], env);
    expect(second.code).toBe(0);
    expect(broker.calls.length).toBe(calls);
  });
});
