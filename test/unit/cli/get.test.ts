import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CACHE_MARGIN_MS } from '../../../cli/credential-cache.js';
import { warmCredentialProcess } from '../../../cli/fast-path.js';
import {
  type FakeBroker,
  fakeTerminal,
  requesterSetup,
  runCli,
  sampleCredentials,
  startFakeBroker,
  type tempHome,
} from '../../support/cli-harness.js';

const EXPIRATION = '2030-01-01T00:00:00.000Z';

describe('sts get', () => {
  let broker: FakeBroker;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  beforeEach(async () => {
    ({ home, broker, env } = await requesterSetup({
      plan: ['VERIFYING', 'APPROVED', 'MINTED'],
      credentials: sampleCredentials(EXPIRATION),
    }));
  });
  afterEach(async () => {
    await broker.close();
    home.cleanup();
  });

  const creates = () => broker.calls.filter((call) => call.method === 'POST' && call.path === '/v1/requests');

  it('prints STSFTW 1.0 export lines (plus the expiration) by default', async () => {
    const result = await runCli(['get', '--totp-code', '123456'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'export AWS_ACCESS_KEY_ID=ASIATESTACCESSKEY001\n' +
        'export AWS_SECRET_ACCESS_KEY=test/secret+key=0123456789abcdefghijklmn\n' +
        'export AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjTESTSESSIONTOKEN/+=\n' +
        `export AWS_CREDENTIAL_EXPIRATION=${EXPIRATION}\n`,
    );
    // single shot without approval: no approval instructions
    expect(result.stderr).not.toContain('sts approve');
  });

  it('sends both codes in one call for a single shot', async () => {
    const result = await runCli(
      ['get', '--totp-code', '123456', '--secondary-authorizer', 'bob', '--secondary-totp-code', '654321'],
      env,
    );
    expect(result.code).toBe(0);
    expect(creates()[0].body).toMatchObject({
      totpCode: '123456',
      secondaryAccountName: 'bob',
      secondaryTotpCode: '654321',
    });
  });

  it('refuses a secondary code without saying whose it is', async () => {
    const result = await runCli(['get', '--totp-code', '123456', '--secondary-totp-code', '654321'], env);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('--secondary-authorizer');
    expect(creates()).toHaveLength(0);
  });

  it('waits like sts request when the account needs approval, showing the approver command', async () => {
    await broker.close();
    broker = await startFakeBroker({ plan: ['VERIFYING', 'AWAITING_APPROVAL', 'MINTED'] });
    env.STS_ENDPOINT = broker.url;
    const result = await runCli(['get', '--totp-code', '123456'], env);
    const [request] = broker.requests.values();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`sts approve ${request.id}`);
    expect(result.stderr).toContain(request.view.verificationCode);
    expect(result.stdout).toContain('export AWS_ACCESS_KEY_ID=');
  });

  it.each([
    [
      'fish',
      "set -gx AWS_ACCESS_KEY_ID 'ASIATESTACCESSKEY001';\n" +
        "set -gx AWS_SECRET_ACCESS_KEY 'test/secret+key=0123456789abcdefghijklmn';\n" +
        "set -gx AWS_SESSION_TOKEN 'IQoJb3JpZ2luX2VjTESTSESSIONTOKEN/+=';\n" +
        `set -gx AWS_CREDENTIAL_EXPIRATION '${EXPIRATION}';\n`,
    ],
    [
      'powershell',
      "$Env:AWS_ACCESS_KEY_ID = 'ASIATESTACCESSKEY001'\n" +
        "$Env:AWS_SECRET_ACCESS_KEY = 'test/secret+key=0123456789abcdefghijklmn'\n" +
        "$Env:AWS_SESSION_TOKEN = 'IQoJb3JpZ2luX2VjTESTSESSIONTOKEN/+='\n" +
        `$Env:AWS_CREDENTIAL_EXPIRATION = '${EXPIRATION}'\n`,
    ],
  ])('--format %s', async (format, expected) => {
    const result = await runCli(['get', '--totp-code', '123456', '--format', format], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(expected);
  });

  it('--format json prints the credentials object', async () => {
    const result = await runCli(['get', '--totp-code', '123456', '--format', 'json'], env);
    expect(JSON.parse(result.stdout)).toEqual(sampleCredentials(EXPIRATION));
  });

  it('--json alone means --format json', async () => {
    const result = await runCli(['get', '--totp-code', '123456', '--json'], env);
    expect(JSON.parse(result.stdout)).toEqual(sampleCredentials(EXPIRATION));
  });

  it('--format credential-process prints the AWS document, Version 1', async () => {
    const result = await runCli(['get', '--totp-code', '123456', '--format', 'credential-process'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ Version: 1, ...sampleCredentials(EXPIRATION) });
  });

  it('rejects an unknown --format before doing anything', async () => {
    const result = await runCli(['get', '--totp-code', '123456', '--format', 'yaml'], env);
    expect(result.code).toBe(1);
    expect(creates()).toHaveLength(0);
  });

  describe('credential cache', () => {
    const now = Date.parse('2029-12-31T23:00:00.000Z'); // one hour before EXPIRATION
    const argv = ['get', '--format', 'credential-process'];

    it('answers the second call from the cache: no HTTP request, no prompt', async () => {
      const first = await runCli(argv, env, { now: () => now, terminal: fakeTerminal(['123456']).terminal });
      expect(first.code).toBe(0);
      const callsAfterFirst = broker.calls.length;

      const tty = fakeTerminal([]);
      const second = await runCli(argv, env, { now: () => now + 30 * 60_000, terminal: tty.terminal });
      expect(second.code).toBe(0);
      expect(second.stdout).toBe(first.stdout);
      expect(broker.calls.length).toBe(callsAfterFirst);
      expect(tty.questions).toEqual([]);
    });

    it('stores the cache encrypted, files mode 0600', async () => {
      await runCli([...argv, '--totp-code', '123456'], env, { now: () => now });
      const dir = join(home.home, '.cache', 'stsftw', 'credentials');
      const [file] = readdirSync(dir);
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text).not.toContain('ASIATESTACCESSKEY001');
      expect(text).not.toContain('test/secret+key');
      const keyFile = join(home.home, '.local', 'state', 'stsftw', 'cache.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    });

    it('is not used within five minutes of expiry', async () => {
      await runCli([...argv, '--totp-code', '123456'], env, { now: () => now });
      const expires = Date.parse(EXPIRATION);
      const justInside = await runCli([...argv, '--totp-code', '123456'], env, {
        now: () => expires - CACHE_MARGIN_MS - 1000,
      });
      expect(justInside.code).toBe(0);
      expect(creates()).toHaveLength(1);
      const tooLate = await runCli([...argv, '--totp-code', '123456'], env, {
        now: () => expires - CACHE_MARGIN_MS + 1000,
      });
      expect(tooLate.code).toBe(0);
      expect(creates()).toHaveLength(2);
    });

    it('still prints the credentials when the cache cannot be written, and says why', async () => {
      writeFileSync(join(home.home, '.cache'), 'not a directory');
      const tty = fakeTerminal([]);
      const result = await runCli([...argv, '--totp-code', '123456'], env, { now: () => now, terminal: tty.terminal });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ Version: 1, ...sampleCredentials(EXPIRATION) });
      // credential_process captures stderr: the person is told on the terminal
      expect(tty.said.join('')).toContain('Could not cache the credentials');
    });

    it('is keyed by role', async () => {
      await runCli([...argv, '--totp-code', '123456'], env, { now: () => now });
      await runCli([...argv, '--totp-code', '123456', '--role', 'readonly'], env, { now: () => now });
      expect(creates()).toHaveLength(2);
    });

    it('is not read for other formats', async () => {
      await runCli([...argv, '--totp-code', '123456'], env, { now: () => now });
      await runCli(['get', '--totp-code', '123456'], env, { now: () => now });
      expect(creates()).toHaveLength(2);
    });

    it('a --reason means new credentials: the cache is not read, but refreshed', async () => {
      await runCli([...argv, '--totp-code', '123456'], env, { now: () => now });
      const fresh = await runCli([...argv, '--totp-code', '654321', '--reason', 'incident 42'], env, {
        now: () => now,
      });
      expect(fresh.code, fresh.stderr).toBe(0);
      expect(creates()).toHaveLength(2);
      expect(creates()[1].body.reason).toBe('incident 42');
      // the warm path must not answer it either
      expect(warmCredentialProcess([...argv, '--reason', 'incident 42'], env, now)).toBeUndefined();
      expect(warmCredentialProcess([...argv, '--reason=x'], env, now)).toBeUndefined();
      expect(warmCredentialProcess([...argv, '--no-cache'], env, now)).toBeUndefined();
      expect(warmCredentialProcess(argv, env, now)).toBeDefined();
    });

    it('--no-cache neither reads nor writes it', async () => {
      await runCli([...argv, '--totp-code', '123456'], env, { now: () => now });
      const result = await runCli([...argv, '--totp-code', '654321', '--no-cache'], env, { now: () => now });
      expect(result.code, result.stderr).toBe(0);
      expect(creates()).toHaveLength(2);
    });

    it('sts cache clear forgets every cached credential; the next call mints', async () => {
      await runCli([...argv, '--totp-code', '123456'], env, { now: () => now });
      await runCli([...argv, '--totp-code', '123456', '--role', 'readonly'], env, { now: () => now });
      const cleared = await runCli(['cache', 'clear'], env);
      expect(cleared.code, cleared.stderr).toBe(0);
      expect(cleared.stdout).toBe('Removed 2 cached credentials.\n');
      expect(warmCredentialProcess(argv, env, now)).toBeUndefined();
      await runCli([...argv, '--totp-code', '123456'], env, { now: () => now });
      expect(creates()).toHaveLength(3);
      const again = await runCli(['cache', 'clear'], { HOME: home.home });
      expect(again.code).toBe(0);
      expect(again.stdout).toBe('Removed 1 cached credential.\n');
      expect((await runCli(['cache', 'clear'], env)).stdout).toBe('No cached credentials.\n');
    });

    it('the warm path in main answers without the CLI, and declines what it does not understand', async () => {
      await runCli([...argv, '--totp-code', '123456'], env, { now: () => now });
      const warm = warmCredentialProcess(['get', '--format=credential-process'], env, now);
      expect(JSON.parse(warm!)).toEqual({ Version: 1, ...sampleCredentials(EXPIRATION) });
      expect(
        warmCredentialProcess(['get', '--format', 'credential-process', '--role', 'other'], env, now),
      ).toBeUndefined();
      expect(warmCredentialProcess(['get', '--format', 'env'], env, now)).toBeUndefined();
      expect(warmCredentialProcess(['get', '--format', 'credential-process', '--help'], env, now)).toBeUndefined();
      expect(warmCredentialProcess(['request', '--format', 'credential-process'], env, now)).toBeUndefined();
      expect(warmCredentialProcess(argv, env, Date.parse(EXPIRATION) - 60_000)).toBeUndefined();
    });
  });
});
