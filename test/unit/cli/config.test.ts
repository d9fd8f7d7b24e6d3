import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configPath, resolveSettings } from '../../../cli/settings.js';
import { type FakeBroker, startFakeBroker } from './fake-broker.js';
import { runSts, tempHome } from './harness.js';

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
      await runSts(['status', id], env);
      expect(profileBroker.calls).toHaveLength(1);
      await runSts(['status', id], { ...env, STS_ENDPOINT: envBroker.url });
      expect(envBroker.calls).toHaveLength(1);
      await runSts(['status', id, '--endpoint', profileBroker.url], { ...env, STS_ENDPOINT: envBroker.url });
      expect(profileBroker.calls).toHaveLength(2);
      expect(envBroker.calls).toHaveLength(1);
    });
  });

  describe('sts configure', () => {
    it('writes the profile (0600), merging with what is there, without copying STS_* variables', async () => {
      const first = await runSts(
        ['configure', '--endpoint', 'https://sts.example.com', '--issuer', 'acme', '--account-name', 'alice'],
        { ...env, STS_ROLE: 'from-env' },
      );
      expect(first.code).toBe(0);
      const second = await runSts(['configure', '--role', 'admin'], env);
      expect(second.code).toBe(0);
      await runSts(['configure', '--profile', 'staging', '--endpoint', 'https://staging.example.com'], env);
      const path = configPath(env);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
        profiles: {
          default: { endpoint: 'https://sts.example.com', issuer: 'acme', accountName: 'alice', role: 'admin' },
          staging: { endpoint: 'https://staging.example.com' },
        },
      });
      expect(statSync(path).mode & 0o777).toBe(0o600);
    });

    it('refuses to save nothing, or a malformed endpoint', async () => {
      expect((await runSts(['configure'], env)).code).toBe(64);
      const bad = await runSts(['configure', '--endpoint', 'not a url'], env);
      expect(bad.code).toBe(64);
      expect(bad.stderr).toContain('is not a URL');
    });
  });
});
