import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalBroker, runCli, startLocalBroker } from '../../../support/cli-harness.js';

/** Issue 7 item 14: the administrator commands read the same settings as every other command. */
describe('administrator commands and the config-file profile', () => {
  let broker: LocalBroker;
  let home: string;
  let env: Record<string, string>;

  const writeProfiles = (profiles: Record<string, unknown>) => {
    mkdirSync(join(home, '.config', 'stsftw'), { recursive: true });
    writeFileSync(join(home, '.config', 'stsftw', 'config.json'), JSON.stringify({ profiles }));
  };

  beforeAll(async () => {
    broker = await startLocalBroker();
    const enrolled = await runCli([
      'enroll',
      ...broker.localArgs,
      '--issuer',
      'acme',
      '--account-name',
      'alice',
      '--no-verify',
      '--json',
    ]);
    expect(enrolled.code, enrolled.stderr).toBe(0);
  });
  afterAll(async () => {
    await broker.close();
  });
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'sts-admin-home-'));
    env = { HOME: home };
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('sts list takes the issuer, local mode and data dir from the default profile', async () => {
    writeProfiles({ default: { issuer: 'acme', local: true, dataDir: broker.dataDir } });
    const result = await runCli(['list', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).map((view: { accountName: string }) => view.accountName)).toEqual(['alice']);
  });

  it('--profile / STS_PROFILE pick the profile, and a flag still wins over it', async () => {
    writeProfiles({
      default: { issuer: 'nobody', local: true, dataDir: broker.dataDir },
      work: { issuer: 'acme', local: true, dataDir: broker.dataDir },
    });
    const named = await runCli(['list', '--profile', 'work', '--json'], env);
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout)).toHaveLength(1);
    const fromEnv = await runCli(['list', '--json'], { ...env, STS_PROFILE: 'work' });
    expect(JSON.parse(fromEnv.stdout)).toHaveLength(1);
    const flag = await runCli(['list', '--profile', 'work', '--issuer', 'nobody', '--json'], env);
    expect(JSON.parse(flag.stdout)).toEqual([]);
  });

  it('sts remove finds the account named in the profile', async () => {
    writeProfiles({ default: { issuer: 'acme', accountName: 'ghost', local: true, dataDir: broker.dataDir } });
    const result = await runCli(['remove', '--yes'], env);
    expect(result).toMatchObject({ code: 5 });
    expect(result.stderr).toContain('ghost is not enrolled in acme');
  });

  it('an unknown --profile is a usage error that says how to create it', async () => {
    const result = await runCli(['list', '--profile', 'nope'], env);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('sts configure --profile nope');
  });
});
