import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setProfile } from '../../../cli/aws-profile.js';
import {
  type FakeBroker,
  requesterSetup,
  runCli,
  sampleCredentials,
  type tempHome,
} from '../../support/cli-harness.js';

const EXPIRATION = '2030-01-01T00:00:00.000Z';

const existing = `# my AWS credentials
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = defaultsecret

[work-admin] ; written by sts
aws_access_key_id = ASIAOLD
region = eu-west-1
aws_session_token = oldtoken

[other]
aws_access_key_id = AKIAOTHER
# keep me
aws_secret_access_key = othersecret
`;

describe('--write-profile', () => {
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

  it('replaces only that profile’s credential keys and keeps every other line, mode 0600', async () => {
    const file = join(home.home, '.aws', 'credentials');
    mkdirSync(join(home.home, '.aws'));
    writeFileSync(file, existing);
    chmodSync(file, 0o644);
    const result = await runCli(['get', '--totp-code', '123456', '--write-profile', 'work-admin'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(''); // only the profile was asked for
    expect(result.stderr).toContain('Saved profile work-admin');
    expect(readFileSync(file, 'utf8')).toBe(`# my AWS credentials
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = defaultsecret

[work-admin] ; written by sts
aws_access_key_id = ASIATESTACCESSKEY001
region = eu-west-1
aws_session_token = IQoJb3JpZ2luX2VjTESTSESSIONTOKEN/+=
aws_secret_access_key = test/secret+key=0123456789abcdefghijklmn
x_security_token_expires = ${EXPIRATION}

[other]
aws_access_key_id = AKIAOTHER
# keep me
aws_secret_access_key = othersecret
`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(home.home, '.aws'))).toEqual(['credentials']); // no temp file left behind
  });

  it('respects AWS_SHARED_CREDENTIALS_FILE, creates the file, and still prints a --format if asked', async () => {
    const file = join(home.home, 'elsewhere', 'creds');
    const result = await runCli(['get', '--totp-code', '123456', '--write-profile', 'p1', '--format', 'json'], {
      ...env,
      AWS_SHARED_CREDENTIALS_FILE: file,
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).AccessKeyId).toBe('ASIATESTACCESSKEY001');
    expect(readFileSync(file, 'utf8')).toBe(
      `[p1]\naws_access_key_id = ASIATESTACCESSKEY001\naws_secret_access_key = test/secret+key=0123456789abcdefghijklmn\naws_session_token = IQoJb3JpZ2luX2VjTESTSESSIONTOKEN/+=\nx_security_token_expires = ${EXPIRATION}\n`,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a profile name the AWS CLI could not read', async () => {
    const result = await runCli(['get', '--totp-code', '123456', '--write-profile', 'bad]name'], env);
    expect(result.code).toBe(1);
    expect(broker.calls).toEqual([]);
  });
});

describe('setProfile', () => {
  const values: [string, string][] = [['aws_access_key_id', 'NEW']];

  it('appends a new profile after a blank line', () => {
    expect(setProfile('[a]\nx = 1\n', 'b', values)).toBe('[a]\nx = 1\n\n[b]\naws_access_key_id = NEW\n');
  });

  it('keeps CRLF files CRLF', () => {
    expect(setProfile('[b]\r\naws_access_key_id = OLD\r\n', 'b', values)).toBe('[b]\r\naws_access_key_id = NEW\r\n');
  });

  it('drops duplicate keys of the profile and ignores other profiles with the same keys', () => {
    expect(
      setProfile('[a]\naws_access_key_id = A\n[b]\naws_access_key_id = 1\naws_access_key_id = 2\n', 'b', values),
    ).toBe('[a]\naws_access_key_id = A\n[b]\naws_access_key_id = NEW\n');
  });

  it('starts an empty file', () => {
    expect(setProfile('', 'b', values)).toBe('[b]\naws_access_key_id = NEW\n');
  });
});
