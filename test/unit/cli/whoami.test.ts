/**
 * `sts whoami` and `sts profiles`: who the credentials are from the cache (with the request id and
 * approvers recorded when they were obtained) or from what `sts exec` exported; the profiles and the active
 * one. Nothing here calls AWS; whoami calls no broker either.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeCachedCredentials } from '../../../cli/credential-cache.js';
import { type FakeBroker, requesterSetup, runCli, sampleCredentials, tempHome } from '../../support/cli-harness.js';

const EXPIRATION = '2030-01-01T00:00:00.000Z';
const node = process.execPath;

describe('sts whoami', () => {
  let broker: FakeBroker;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  beforeEach(async () => {
    ({ home, broker, env } = await requesterSetup({
      plan: [{ status: 'MINTED', approvalsRequired: 2, approvals: ['bob', 'carol'] }],
      credentials: sampleCredentials(EXPIRATION),
    }));
  });
  afterEach(async () => {
    await broker.close();
    home.cleanup();
  });

  it('describes the cached credentials: issuer, account, role, request id, approvers, expiry; no secret, no call', async () => {
    const got = await runCli(['get', '--totp-code', '123456', '--format', 'credential-process'], env);
    expect(got.code, got.stderr).toBe(0);
    const [id] = [...broker.requests.keys()];
    const calls = broker.calls.length;
    const result = await runCli(['whoami', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      source: 'cache',
      profile: 'default',
      issuer: 'acme',
      accountName: 'alice',
      role: 'admin',
      requestId: id,
      approvers: ['bob', 'carol'],
      expiration: EXPIRATION,
      expired: false,
    });
    const text = await runCli(['whoami'], env);
    expect(text.stdout).toContain(`request      ${id}`);
    expect(text.stdout).toContain('approved by  bob, carol');
    for (const out of [result.stdout, text.stdout]) {
      expect(out).not.toContain('ASIATESTACCESSKEY001');
      expect(out).not.toContain('test/secret');
    }
    expect(broker.calls.length).toBe(calls);
  });

  it('reads an entry cached before request ids were recorded, and says what it lacks', async () => {
    writeCachedCredentials(
      env,
      { endpoint: broker.url, issuer: 'acme', accountName: 'alice', role: 'arn:aws:iam::123456789012:role/admin' },
      sampleCredentials(EXPIRATION),
    );
    const result = await runCli(['whoami', '--role', 'arn:aws:iam::123456789012:role/admin', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const identity = JSON.parse(result.stdout);
    expect(identity.awsAccount).toBe('123456789012');
    expect(identity.requestId).toBeUndefined();
    expect(identity.approvers).toBeUndefined();
    const text = await runCli(['whoami', '--role', 'arn:aws:iam::123456789012:role/admin'], env);
    expect(text.stdout).toContain('not recorded (cached by an older sts)');
  });

  it('inside sts exec: describes the environment from the variables exec sets', async () => {
    const result = await runCli(
      [
        'exec',
        '--totp-code',
        '123456',
        '--',
        node,
        '-e',
        'const e = process.env; console.log(JSON.stringify([e.STSFTW_PROFILE, e.STSFTW_ISSUER, e.STSFTW_ACCOUNT_NAME, e.STSFTW_ROLE, e.STSFTW_REQUEST_ID, e.STSFTW_APPROVERS]))',
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const [id] = [...broker.requests.keys()];
    const exported = JSON.parse(result.stdout);
    expect(exported).toEqual(['default', 'acme', 'alice', 'admin', id, 'bob,carol']);
    const inside = {
      HOME: join(home.home, 'elsewhere'), // no config, no cache: only the environment can answer
      STSFTW_EXEC: '1',
      AWS_ACCESS_KEY_ID: 'ASIATESTACCESSKEY001',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_CREDENTIAL_EXPIRATION: '2000-01-01T00:00:00.000Z',
      STSFTW_PROFILE: exported[0],
      STSFTW_ISSUER: exported[1],
      STSFTW_ACCOUNT_NAME: exported[2],
      STSFTW_ROLE: exported[3],
      STSFTW_REQUEST_ID: exported[4],
      STSFTW_APPROVERS: exported[5],
    };
    const who = await runCli(['whoami', '--json'], inside);
    expect(who.code, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout)).toEqual({
      source: 'environment',
      profile: 'default',
      issuer: 'acme',
      accountName: 'alice',
      role: 'admin',
      requestId: id,
      approvers: ['bob', 'carol'],
      expiration: '2000-01-01T00:00:00.000Z',
      expired: true,
    });
    expect((await runCli(['whoami'], inside)).stdout).toContain('(expired)');
  });

  it('exec from an entry cached before request ids were recorded sets no request id, and none leaks from outside', async () => {
    writeCachedCredentials(
      env,
      { endpoint: broker.url, issuer: 'acme', accountName: 'alice', role: 'admin' },
      sampleCredentials(EXPIRATION),
    );
    const script =
      'const e = process.env; console.log(JSON.stringify([e.STSFTW_ROLE, e.STSFTW_REQUEST_ID ?? null, e.STSFTW_APPROVERS ?? null]))';
    const result = await runCli(['exec', '--', node, '-e', script], {
      ...env,
      STSFTW_REQUEST_ID: 'r_from_an_outer_shell',
      STSFTW_APPROVERS: 'mallory',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(['admin', null, null]);
    expect(broker.calls).toEqual([]);
  });

  it('nothing cached is exit 1 with a sentence; foreign AWS credentials in the environment too', async () => {
    const none = await runCli(['whoami'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No cached credentials for role admin (alice of acme, profile default)');
    const foreign = await runCli(['whoami'], { ...env, AWS_ACCESS_KEY_ID: 'AKIAFOREIGN' });
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain('not set by `sts exec`');
    expect(foreign.stderr).not.toContain('AKIAFOREIGN');
  });

  it('inside sts exec --server: asks the endpoint; one that cannot answer is exit 1 with a sentence', async () => {
    const { startCredentialServer } = await import('../../../cli/credential-server.js');
    const server = await startCredentialServer({
      first: { ...sampleCredentials(EXPIRATION), origin: { requestId: 'r_served', approvers: ['bob'] } },
      renew: async () => sampleCredentials(EXPIRATION),
      onError: () => {},
      describe: () => ({ source: 'server', role: 'admin', requestId: 'r_served', expired: false }),
    });
    try {
      const inside = { ...env, STSFTW_EXEC: '1', ...server.env };
      const who = await runCli(['whoami', '--json'], inside);
      expect(who.code, who.stderr).toBe(0);
      expect(JSON.parse(who.stdout)).toEqual({
        source: 'server',
        role: 'admin',
        requestId: 'r_served',
        expired: false,
      });
      const wrong = await runCli(['whoami'], { ...inside, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'not-the-token' });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('did not describe them: HTTP 403 (wrong Authorization');
      expect(wrong.stderr).not.toContain('not-the-token');
      expect(wrong.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await server.close();
    }
    const gone = await runCli(['whoami'], { ...env, STSFTW_EXEC: '1', ...server.env });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('The credentials endpoint of `sts exec --server` (http://127.0.0.1:');
    expect(gone.stderr).not.toMatch(/\n\s+at /);
  });

  it('missing settings are exit 64', async () => {
    const result = await runCli(['whoami'], { HOME: home.home });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('STS_ROLE');
  });
});

describe('sts profiles', () => {
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  beforeEach(() => {
    home = tempHome();
    env = { HOME: home.home };
    mkdirSync(join(home.home, '.config', 'stsftw'), { recursive: true });
    writeFileSync(
      join(home.home, '.config', 'stsftw', 'config.json'),
      JSON.stringify({
        profiles: {
          work: { endpoint: 'https://sts.example.com', issuer: 'acme', accountName: 'alice', role: 'admin' },
          default: { local: true, dataDir: '/data/stsftw', issuer: 'demo', accountName: 'alice' },
        },
      }),
    );
  });
  afterEach(() => home.cleanup());

  it('lists the profiles with the default active when nothing names one', async () => {
    const result = await runCli(['profiles'], env);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[1]).toBe(
      '* default  local broker in /data/stsftw, alice of demo  (active: no --profile or STS_PROFILE given)',
    );
    expect(lines[2]).toBe('  work  https://sts.example.com, alice of acme, role admin');
  });

  it('says whether STS_PROFILE or --profile chose, and which STS_* variables override fields', async () => {
    const byEnv = await runCli(['profiles', '--json'], { ...env, STS_PROFILE: 'work', STS_ROLE: 'ops' });
    expect(byEnv.code, byEnv.stderr).toBe(0);
    const parsed = JSON.parse(byEnv.stdout);
    expect(parsed.active).toEqual({ name: 'work', selectedBy: 'STS_PROFILE', exists: true });
    expect(parsed.overrides).toEqual({ role: 'STS_ROLE' });
    expect(Object.keys(parsed.profiles).sort()).toEqual(['default', 'work']);
    const byFlag = await runCli(['profiles', '--profile', 'work'], { ...env, STS_PROFILE: 'default', STS_ROLE: 'ops' });
    expect(byFlag.stdout).toContain(
      '* work  https://sts.example.com, alice of acme, role admin  (active: selected by --profile)',
    );
    expect(byFlag.stdout).toContain("STS_ROLE=ops overrides the profile's role.");
  });

  it('an active profile that does not exist is listed, then exit 64', async () => {
    const result = await runCli(['profiles'], { ...env, STS_PROFILE: 'nope' });
    expect(result.code).toBe(64);
    expect(result.stdout).toContain('Active: nope (selected by STS_PROFILE), which is not in the file.');
    expect(result.stderr).toContain('No profile "nope"');
  });

  it('no config file: a sentence, exit 0', async () => {
    const result = await runCli(['profiles'], { HOME: join(home.home, 'none') });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No profiles in');
  });
});
