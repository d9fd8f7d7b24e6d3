import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configPath, resolveSettings } from '../../../cli/settings.js';
import { type FakeBroker, runCli, startFakeBroker, tempHome } from '../../support/cli-harness.js';

describe('configuration precedence', () => {
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  const writeConfig = (profiles: Record<string, unknown>) => {
    mkdirSync(join(home.home, '.config', 'stsftw'), { recursive: true });
    writeFileSync(join(home.home, '.config', 'stsftw', 'config.json'), JSON.stringify({ profiles }));
  };

  beforeEach(() => {
    home = tempHome();
    env = { HOME: home.home };
  });
  afterEach(() => home.cleanup());

  it('flag beats environment beats profile beats default', () => {
    writeConfig({
      default: { endpoint: 'https://profile', issuer: 'p-issuer', accountName: 'p-account', role: 'p-role' },
    });
    const settings = resolveSettings(
      { endpoint: 'https://flag' },
      { ...env, STS_ENDPOINT: 'https://env', STS_ISSUER: 'e-issuer' },
    );
    expect(settings).toMatchObject({
      endpoint: 'https://flag',
      issuer: 'e-issuer',
      accountName: 'p-account',
      role: 'p-role',
      profileName: 'default',
      local: false,
    });
    expect(settings.dataDir).toBe(join(process.cwd(), '.stsftw'));
  });

  it('--profile, else STS_PROFILE, picks the profile', () => {
    writeConfig({ default: { role: 'd' }, work: { role: 'w' }, home: { role: 'h' } });
    expect(resolveSettings({}, { ...env, STS_PROFILE: 'home' }).role).toBe('h');
    expect(resolveSettings({ profile: 'work' }, { ...env, STS_PROFILE: 'home' }).role).toBe('w');
    expect(resolveSettings({}, env).role).toBe('d');
  });

  it('an unknown named profile is an error that says how to create it', () => {
    expect(() => resolveSettings({ profile: 'nope' }, env)).toThrow('sts configure --profile nope');
  });

  it('an invalid config file is an error that names the file', () => {
    mkdirSync(join(home.home, '.config', 'stsftw'), { recursive: true });
    writeFileSync(configPath(env), '{ nope');
    expect(() => resolveSettings({}, env)).toThrow(`${configPath(env)} is not valid JSON`);
  });

  it('honours XDG_CONFIG_HOME', () => {
    expect(configPath({ HOME: '/home/x', XDG_CONFIG_HOME: '/xdg' })).toBe('/xdg/stsftw/config.json');
    expect(configPath({ HOME: '/home/x', XDG_CONFIG_HOME: 'relative' })).toBe('/home/x/.config/stsftw/config.json');
  });

  describe('through the CLI', () => {
    let profileBroker: FakeBroker;
    let envBroker: FakeBroker;

    beforeEach(async () => {
      profileBroker = await startFakeBroker();
      envBroker = await startFakeBroker();
    });
    afterEach(async () => {
      await profileBroker.close();
      await envBroker.close();
    });

    it('uses the profile endpoint, unless STS_ENDPOINT, unless --endpoint', async () => {
      writeConfig({ default: { endpoint: profileBroker.url } });
      const id = 'r_0123456789abcdefghjkmnpqrs';
      await runCli(['status', id], env);
      expect(profileBroker.calls).toHaveLength(1);
      await runCli(['status', id], { ...env, STS_ENDPOINT: envBroker.url });
      expect(envBroker.calls).toHaveLength(1);
      await runCli(['status', id, '--endpoint', profileBroker.url], { ...env, STS_ENDPOINT: envBroker.url });
      expect(profileBroker.calls).toHaveLength(2);
      expect(envBroker.calls).toHaveLength(1);
    });
  });

  describe('sts configure', () => {
    it('writes the profile (0600), merging with what is there, without copying STS_* variables', async () => {
      const first = await runCli(
        ['configure', '--endpoint', 'https://sts.example.com', '--issuer', 'acme', '--account-name', 'alice'],
        { ...env, STS_ROLE: 'from-env' },
      );
      expect(first.code).toBe(0);
      const second = await runCli(['configure', '--role', 'admin'], env);
      expect(second.code).toBe(0);
      await runCli(['configure', '--profile', 'staging', '--endpoint', 'https://staging.example.com'], env);
      const path = configPath(env);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
        profiles: {
          default: { endpoint: 'https://sts.example.com', issuer: 'acme', accountName: 'alice', role: 'admin' },
          staging: { endpoint: 'https://staging.example.com' },
        },
      });
      expect(statSync(path).mode & 0o777).toBe(0o600);
    });

    it("saves a typed --region in the profile, never the environment's AWS_REGION", async () => {
      await runCli(['configure', '--issuer', 'acme'], { ...env, AWS_REGION: 'us-east-2' });
      expect(JSON.parse(readFileSync(configPath(env), 'utf8')).profiles.default).toEqual({ issuer: 'acme' });
      expect((await runCli(['configure', '--region', 'eu-west-1'], env)).code).toBe(0);
      expect(JSON.parse(readFileSync(configPath(env), 'utf8')).profiles.default).toEqual({
        issuer: 'acme',
        region: 'eu-west-1',
      });
    });

    it('refuses a malformed endpoint', async () => {
      const bad = await runCli(['configure', '--endpoint', 'not a url'], env);
      expect(bad.code).toBe(64);
      expect(bad.stderr).toContain('is not a URL');
    });

    it('with no arguments shows the profiles, each setting, and which one is used by default', async () => {
      await runCli(['configure', '--endpoint', 'https://sts.example.com', '--issuer', 'acme'], env);
      await runCli(['configure', '--profile', 'lab', '--local', '--data-dir', join(home.home, 'lab')], env);
      const shown = await runCli(['configure'], env);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toContain(configPath(env));
      expect(shown.stdout).toMatch(/^default \(used when no --profile or STS_PROFILE is given\)$/m);
      expect(shown.stdout).toMatch(/^ {2}endpoint +https:\/\/sts\.example\.com$/m);
      expect(shown.stdout).toMatch(/^ {2}issuer +acme$/m);
      expect(shown.stdout).toMatch(/^lab$/m);
      expect(shown.stdout).toMatch(new RegExp(`^ {2}local +yes, broker data in ${join(home.home, 'lab')}$`, 'm'));
      expect(shown.stdout).not.toContain('Nothing to change');

      const selected = await runCli(['configure'], { ...env, STS_PROFILE: 'lab' });
      expect(selected.stdout).toMatch(/^lab \(selected by STS_PROFILE\)$/m);
      const json = await runCli(['configure', '--json'], env);
      expect(JSON.parse(json.stdout)).toMatchObject({
        path: configPath(env),
        selected: 'default',
        profiles: { default: { issuer: 'acme' }, lab: { local: true, dataDir: join(home.home, 'lab') } },
      });
    });

    it('with no profiles yet says how to make one', async () => {
      const shown = await runCli(['configure'], env);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('No profiles yet');
      expect(shown.stdout).toContain('sts configure --local');
    });
  });

  describe('sts configure --local', () => {
    let broker: FakeBroker;
    const id = 'r_0123456789abcdefghjkmnpqrs';

    beforeEach(async () => {
      broker = await startFakeBroker();
    });
    afterEach(async () => {
      await broker.close();
    });

    const startLocal = (dataDir: string) => {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'server.json'), JSON.stringify({ version: 1, endpoint: broker.url }));
    };

    it('stores local mode and the absolute data dir, and later commands use that broker from anywhere', async () => {
      const dataDir = join(home.home, 'broker');
      startLocal(dataDir);
      const saved = await runCli(
        ['configure', '--local', '--data-dir', dataDir, '--issuer', 'demo', '--account-name', 'alice'],
        env,
      );
      expect(saved.code, saved.stderr).toBe(0);
      expect(JSON.parse(readFileSync(configPath(env), 'utf8')).profiles.default).toEqual({
        issuer: 'demo',
        accountName: 'alice',
        local: true,
        dataDir,
      });
      const status = await runCli(['status', id], env);
      expect(status.stderr).not.toContain('No broker endpoint');
      expect(broker.calls.map((call) => call.path)).toEqual([`/v1/requests/${id}`]);
    });

    it('without --data-dir stores the default data dir, resolved where configure ran', async () => {
      const saved = await runCli(['configure', '--local'], env);
      expect(saved.code, saved.stderr).toBe(0);
      expect(JSON.parse(readFileSync(configPath(env), 'utf8')).profiles.default).toEqual({
        local: true,
        dataDir: join(process.cwd(), '.stsftw'),
      });
    });

    it('an explicit endpoint (flag or STS_ENDPOINT) wins over the profile, and --endpoint switches it back', async () => {
      const dataDir = join(home.home, 'broker');
      startLocal(dataDir);
      await runCli(['configure', '--local', '--data-dir', dataDir], env);
      const other = await startFakeBroker();
      try {
        await runCli(['status', id], { ...env, STS_ENDPOINT: other.url });
        expect(other.calls).toHaveLength(1);
        expect(broker.calls).toHaveLength(0);
        await runCli(['configure', '--endpoint', other.url], env);
        expect(JSON.parse(readFileSync(configPath(env), 'utf8')).profiles.default).toEqual({
          endpoint: other.url,
          dataDir,
        });
        await runCli(['status', id], env);
        expect(other.calls).toHaveLength(2);
        expect(broker.calls).toHaveLength(0);
      } finally {
        await other.close();
      }
    });

    it('refuses --local together with --endpoint', async () => {
      const result = await runCli(['configure', '--local', '--endpoint', 'https://sts.example.com'], env);
      expect(result.code).toBe(64);
      expect(result.stderr).toContain('not both');
    });
  });
});
