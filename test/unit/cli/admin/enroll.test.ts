import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { matchStep, timeStep } from '../../../../lambdas/core/totp.js';
import {
  codeAt,
  freezeDate,
  type LocalBroker,
  NOW,
  runCli,
  ScriptedTerminal,
  shownUrl,
  startLocalBroker,
  twoStepTerminal,
} from '../../../support/cli-harness.js';

describe('sts enroll', () => {
  let broker: LocalBroker;
  let args: string[];
  let n = 0;
  let account: string;

  beforeAll(async () => {
    broker = await startLocalBroker();
  });
  afterAll(async () => {
    await broker.close();
  });
  freezeDate();
  beforeEach(() => {
    account = `user${++n}`;
    args = ['enroll', ...broker.localArgs, '--issuer', 'acme', '--account-name', account];
  });

  it('prints the otpauth URL as JSON with --no-verify --json and stores only ciphertext', async () => {
    const result = await runCli([
      ...args,
      '--roles',
      'admin, readonly',
      '--secondary-authorizers',
      'bob',
      '--no-verify',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toEqual({
      issuer: 'acme',
      accountName: account,
      otpauthUrl: expect.stringMatching(/^otpauth:\/\/totp\//),
    });

    const item = await broker.rawItem('acme', account);
    expect(item?.url).toBeUndefined();
    expect(item?.roles).toEqual({ L: [{ S: 'admin' }, { S: 'readonly' }] });
    expect(item?.secondary_authorization).toEqual({ L: [{ S: 'bob' }] });
    const stored = JSON.stringify(item);
    const secret = new URL(out.otpauthUrl).searchParams.get('secret')!;
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain('otpauth');
    const decrypted = await broker.cipher.decrypt(item!.totp_secret.S!, { issuer: 'acme', account_name: account });
    expect(decrypted).toBe(out.otpauthUrl);
    expect(result.stderr).toContain('warning: bob is not enrolled in acme yet');
  });

  it('shows a QR code and accepts two codes from different steps, marking the last one used', async () => {
    const terminal = twoStepTerminal(NOW);
    const result = await runCli([...args, '--roles', 'admin'], {}, { terminal });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`Enrolled ${account} in acme (roles: admin; secondary authorizers: none).\n`);
    expect(terminal.transcript).toContain('Scan this QR code');
    expect(terminal.transcript).toMatch(/[▀▄█]/);
    expect(terminal.questions).toHaveLength(2);
    // The URL goes to the terminal only, never to stdout.
    expect(result.stdout).not.toContain('otpauth');
    const item = await broker.rawItem('acme', account);
    expect(item?.last_step).toEqual({ N: String(timeStep(NOW)) });
    const url = await broker.cipher.decrypt(item!.totp_secret.S!, { issuer: 'acme', account_name: account });
    expect(url).toBe(shownUrl(terminal.transcript));
  });

  it('refuses a second code from the same time step and asks to wait for the next one', async () => {
    const answers: string[] = [];
    const terminal = new ScriptedTerminal((_q, transcript) => {
      const url = shownUrl(transcript);
      // the same code twice, then the next step's code
      const at = answers.length < 2 ? NOW : new Date(NOW.getTime() + 30_000);
      const code = codeAt(url, at);
      answers.push(code);
      return code;
    });
    const result = await runCli(args, {}, { terminal });
    expect(result.code, result.stderr).toBe(0);
    expect(terminal.questions).toHaveLength(3);
    expect(terminal.transcript).toContain('same 30-second window');
    expect(answers[0]).toBe(answers[1]);
  });

  it('gives up after five wrong codes and stores nothing', async () => {
    const terminal = new ScriptedTerminal(() => '000000');
    const result = await runCli(args, {}, { terminal });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^sts: Too many wrong codes/);
    expect(terminal.questions).toHaveLength(5);
    expect(await broker.rawItem('acme', account)).toBeUndefined();
  });

  it('refuses to prompt without a terminal', async () => {
    const result = await runCli(args, {}, { terminal: new ScriptedTerminal(() => '', false) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pass --no-verify');
    expect(await broker.rawItem('acme', account)).toBeUndefined();
  });

  it('refuses --json without --no-verify', async () => {
    const result = await runCli([...args, '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'sts: --json cannot prompt for codes: add --no-verify (the owner checks the device later).\n',
    );
  });

  it('refuses to overwrite an entry unless --force', async () => {
    const first = await runCli([...args, '--roles', 'a', '--no-verify', '--json']);
    expect(first.code).toBe(0);
    const again = await runCli([...args, '--roles', 'b', '--no-verify', '--json']);
    expect(again.code).toBe(6);
    expect(again.stderr).toContain(`${account} is already enrolled in acme`);
    expect(again.stdout).toBe('');
    expect((await broker.rawItem('acme', account))?.roles).toEqual({ L: [{ S: 'a' }] });

    const forced = await runCli([...args, '--roles', 'b', '--no-verify', '--json', '--force']);
    expect(forced.code).toBe(0);
    expect((await broker.rawItem('acme', account))?.roles).toEqual({ L: [{ S: 'b' }] });
    const url = JSON.parse(forced.stdout).otpauthUrl;
    expect(matchStep(url, codeAt(url, NOW), NOW)).toBe(timeStep(NOW));
  });

  it('reads lists from STS_ROLES and STS_SECONDARY_AUTHORIZERS and repeated flags', async () => {
    const env = { STS_ROLES: 'r1 r2', STS_SECONDARY_AUTHORIZERS: 'x,y' };
    expect((await runCli([...args, '--no-verify', '--json'], env)).code).toBe(0);
    const item = await broker.rawItem('acme', account);
    expect(item?.roles).toEqual({ L: [{ S: 'r1' }, { S: 'r2' }] });
    expect(item?.secondary_authorization).toEqual({ L: [{ S: 'x' }, { S: 'y' }] });

    const other = `${account}b`;
    const flags = ['enroll', ...broker.localArgs, '--issuer', 'acme', '--account-name', other, '--no-verify', '--json'];
    expect((await runCli([...flags, '--roles', 'a', '--roles', 'b,c'], env)).code).toBe(0);
    expect((await broker.rawItem('acme', other))?.roles).toEqual({ L: [{ S: 'a' }, { S: 'b' }, { S: 'c' }] });
  });

  it('enrolls names with inner spaces, as STSFTW 1.0 allowed, keeping comma-separated names whole', async () => {
    const result = await runCli([
      'enroll',
      ...broker.localArgs,
      '--issuer',
      'Some Account',
      '--account-name',
      'Bob Smith',
      '--roles',
      'admin',
      '--secondary-authorizers',
      'Jane Doe, carol',
      '--no-verify',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ issuer: 'Some Account', accountName: 'Bob Smith' });
    const item = await broker.rawItem('Some Account', 'Bob Smith');
    expect(item?.secondary_authorization).toEqual({ L: [{ S: 'Jane Doe' }, { S: 'carol' }] });
  });

  it.each([
    [['--issuer', 'bad issuer '], 'The issuer must be'],
    [['--issuer', 'acme:prod'], 'The issuer must be'],
    [['--roles', 'arn:aws:iam::12:role/x'], 'Not a role name or IAM role ARN'],
    [['--secondary-authorizers', 'SELF'], 'cannot be its own secondary authorizer'],
  ])('refuses bad input %j with exit code 2', async (extra, message) => {
    const argv = [...args, '--no-verify', '--json', ...extra].map((a) => (a === 'SELF' ? account : a));
    const result = await runCli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('says how to give a missing issuer', async () => {
    const result = await runCli(['enroll', ...broker.localArgs, '--account-name', account, '--no-verify', '--json']);
    expect(result).toMatchObject({
      code: 64,
      stderr: 'sts: No issuer: pass --issuer NAME, set STS_ISSUER, or run `sts configure --issuer NAME`.\n',
    });
  });
});
