import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialProcess, shellWord } from '../../../cli/aws-config.js';
import { removeProfile, setProfile } from '../../../cli/aws-profile.js';
import { runCli, tempHome } from '../../support/cli-harness.js';

const existing = `# my AWS config
[default]
region = us-east-1

[profile work] ; written by sts
credential_process = old
output = json
credential_process = older

[profile other]
# keep me
region = eu-west-1
`;

describe('the INI editor on ~/.aws/config sections', () => {
  const values: [string, string][] = [
    ['credential_process', 'NEW'],
    ['region', 'eu-central-1'],
  ];

  it('updates one `[profile NAME]`, keeps comments and other profiles, drops its duplicate keys', () => {
    expect(setProfile(existing, 'profile work', values)).toBe(`# my AWS config
[default]
region = us-east-1

[profile work] ; written by sts
credential_process = NEW
output = json
region = eu-central-1

[profile other]
# keep me
region = eu-west-1
`);
  });

  it('finds `[profile  NAME]` written with more spaces, and adds a final newline to a file without one', () => {
    expect(setProfile('[profile  work]\nregion = x', 'profile work', values)).toBe(
      '[profile  work]\nregion = eu-central-1\ncredential_process = NEW\n',
    );
  });

  it('keeps CRLF files CRLF', () => {
    expect(setProfile('[default]\r\nregion = x\r\n', 'profile work', values)).toBe(
      '[default]\r\nregion = x\r\n\r\n[profile work]\r\ncredential_process = NEW\r\nregion = eu-central-1\r\n',
    );
  });

  it('removes a section in the middle, with its blank lines, and leaves the comment above the next', () => {
    expect(removeProfile(existing, 'profile work')).toBe(`# my AWS config
[default]
region = us-east-1

[profile other]
# keep me
region = eu-west-1
`);
  });

  it('removes the last section with the blank lines before it, CRLF kept; undefined when absent', () => {
    expect(removeProfile('[default]\r\nregion = x\r\n\r\n[profile b]\r\nregion = y', 'profile b')).toBe(
      '[default]\r\nregion = x\r\n',
    );
    expect(removeProfile('[b]\nregion = y\n', 'b')).toBe('');
    expect(removeProfile(existing, 'profile nope')).toBeUndefined();
  });
});

describe('the credential_process line', () => {
  it('quotes the words botocore (shlex) and /bin/sh would split', () => {
    expect(shellWord('/usr/bin/node')).toBe('/usr/bin/node');
    expect(shellWord('/home/a b/sts.mjs')).toBe("'/home/a b/sts.mjs'");
    expect(shellWord("it's")).toBe(`'it'"'"'s'`);
    expect(credentialProcess('my prof', ['/n/node', '/x y/sts.mjs'])).toBe(
      "/n/node '/x y/sts.mjs' get --profile 'my prof' --format credential-process",
    );
  });
});

describe('sts configure --aws-profile', () => {
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;
  let file: string;

  beforeEach(async () => {
    home = tempHome();
    env = { HOME: home.home };
    file = join(home.home, '.aws', 'config');
    const saved = await runCli(['configure', '--profile', 'staging', '--endpoint', 'https://sts.example.com'], env);
    expect(saved.code, saved.stderr).toBe(0);
  });
  afterEach(() => home.cleanup());

  it('writes `[profile NAME]` with credential_process and the region, keeping the file and its mode', async () => {
    mkdirSync(join(home.home, '.aws'));
    writeFileSync(file, existing);
    chmodSync(file, 0o640);
    const result = await runCli(
      ['configure', '--profile', 'staging', '--region', 'eu-west-3', '--aws-profile', 'work'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Saved AWS profile work in');
    const text = readFileSync(file, 'utf8');
    const line = text.split('\n').find((l) => l.startsWith('credential_process'));
    expect(line).toMatch(/^credential_process = \S+ \S+ get --profile staging --format credential-process$/);
    expect(text.replace(line as string, 'credential_process = X')).toBe(
      existing.replace(
        'credential_process = old\noutput = json\ncredential_process = older\n',
        'credential_process = X\noutput = json\nregion = eu-west-3\n',
      ),
    );
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(join(home.home, '.aws'))).toEqual(['config']); // no temp file left behind
  });

  it('creates a new file 0600 at AWS_CONFIG_FILE, writes [default], and follows a symlink', async () => {
    const real = join(home.home, 'dotfiles', 'aws-config');
    const result = await runCli(['configure', '--profile', 'staging', '--aws-profile', 'default'], {
      ...env,
      AWS_CONFIG_FILE: real,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(real, 'utf8')).toMatch(/^\[default\]\ncredential_process = .* --profile staging .*\n$/);
    expect(statSync(real).mode & 0o777).toBe(0o600);

    const link = join(home.home, 'link-config');
    symlinkSync(real, link);
    const removed = await runCli(['configure', '--aws-profile', 'default', '--remove'], {
      ...env,
      AWS_CONFIG_FILE: link,
    });
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('Removed AWS profile default');
    expect(readFileSync(real, 'utf8')).toBe('');
    expect(statSync(link, { throwIfNoEntry: false }) && readdirSync(home.home)).toContain('link-config');
  });

  it('says so when there is nothing to remove, and refuses bad input with a sentence', async () => {
    const nothing = await runCli(['configure', '--aws-profile', 'work', '--remove'], env);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain('No AWS profile work in');

    const bare = await runCli(['configure', '--remove'], env);
    expect(bare.code).toBe(64); // a usage error
    expect(bare.stderr).toContain('name it with --aws-profile NAME');

    const bad = await runCli(['configure', '--aws-profile', 'a]b'], env);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('cannot be an AWS profile name');

    const missing = await runCli(['configure', '--profile', 'nope', '--aws-profile', 'x'], env);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('No profile "nope"');
  });
});
