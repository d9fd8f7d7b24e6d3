import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextSteps } from '../../../cli/commands/server.js';
import { type FakeBroker, runCli, sampleCredentials, startFakeBroker, tempHome } from '../../support/cli-harness.js';

/**
 * Issue 7 item 11: every command the tools print runs as printed where `sts` is installed (plain `sts`, never
 * `npx sts`, which outside the clone runs an unrelated npm package), with a placeholder where the reader
 * must add something.
 */
describe("the approver's command that sts request prints", () => {
  let broker: FakeBroker;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  beforeEach(async () => {
    home = tempHome();
    broker = await startFakeBroker({ plan: ['AWAITING_APPROVAL', 'MINTED'], credentials: sampleCredentials() });
    env = { HOME: home.home, STS_ENDPOINT: broker.url, STS_ACCOUNT_NAME: 'alice', STS_ROLE: 'admin' };
  });
  afterEach(async () => {
    await broker.close();
    home.cleanup();
  });

  const approverLine = (stderr: string) => /approver runs {7}(.*)$/m.exec(stderr)?.[1];

  it('has an --account-name <you> placeholder when no approver was named', async () => {
    const result = await runCli(['request', '--issuer', 'acme', '--totp-code', '123456'], env);
    expect(result.code, result.stderr).toBe(0);
    const [request] = broker.requests.values();
    expect(approverLine(result.stderr)).toBe(`sts approve ${request.id} --issuer acme --account-name <you>`);
  });

  it('is followed by the approval page of the same broker, for an approver with only a browser', async () => {
    const result = await runCli(['request', '--issuer', 'acme', '--totp-code', '123456'], env);
    expect(result.code, result.stderr).toBe(0);
    const [request] = broker.requests.values();
    const lines = result.stderr.split('\n');
    const at = lines.findIndex((line) => approverLine(line) !== undefined);
    expect(lines[at + 1]).toBe(`  or opens            ${broker.url}/approve/${request.id}`);
  });

  it('quotes names a shell would split (1.0 allowed issuers like "Some Account")', async () => {
    const result = await runCli(
      ['request', '--issuer', 'Some Account', '--secondary-authorizer', 'bob', '--totp-code', '123456'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const [request] = broker.requests.values();
    expect(approverLine(result.stderr)).toBe(`sts approve ${request.id} --issuer 'Some Account' --account-name bob`);
  });
});

describe("sts server's next steps", () => {
  const base = { endpoint: 'http://127.0.0.1:8787', dataDir: join(process.cwd(), '.stsftw'), minter: 'local' } as const;
  const commands = (text: string) =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^(npx )?sts /.test(line));

  it("names the approval page's address", () => {
    expect(nextSteps({ ...base, startedBy: undefined })).toContain('\n       http://127.0.0.1:8787/approve/<id>\n');
  });

  it('started as the installed `sts server`: plain `sts` commands', () => {
    const text = nextSteps({ ...base, startedBy: undefined });
    expect(commands(text)).toEqual([
      'sts enroll --local --issuer demo --account-name alice --roles Admin --secondary-authorizers bob',
      'sts enroll --local --issuer demo --account-name bob',
      'sts request --local --issuer demo --account-name alice --role Admin',
      'sts approve <id> --local --issuer demo --account-name bob',
    ]);
    expect(text).not.toContain('npx');
  });

  it.each(['start', 'npx'])(
    'started by npm (%s) in the clone: `npx sts`, which runs this clone, and how to install `sts`',
    (event) => {
      const text = nextSteps({ ...base, startedBy: event });
      expect(commands(text).every((line) => line.startsWith('npx sts '))).toBe(true);
      expect(commands(text)).toHaveLength(4);
      expect(text).toContain('npm install -g .');
      expect(text).toContain('outside this clone `npx sts` runs an unrelated npm package');
    },
  );

  it('quotes a data dir with spaces', () => {
    const text = nextSteps({ ...base, dataDir: '/tmp/my data', startedBy: undefined });
    expect(text).toContain("sts enroll --local --data-dir '/tmp/my data' --issuer demo");
  });

  it('through the CLI, npm start is recognised from the environment npm sets', async () => {
    const { PassThrough } = await import('node:stream');
    const { buildCli } = await import('../../../cli/cli.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dataDir = mkdtempSync(join(tmpdir(), 'sts-hints-'));
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (chunk) => {
      out += chunk;
    });
    const stop = new AbortController();
    const exit = buildCli().run(['server', '--data-dir', dataDir, '--port', '0'], {
      stdin: new PassThrough(),
      stdout,
      stderr: new PassThrough(),
      env: { HOME: dataDir, npm_lifecycle_event: 'start', npm_package_name: 'stsftw' },
      colorDepth: 1,
      signal: stop.signal,
    } as never);
    try {
      for (let i = 0; i < 600 && !out.includes('Ctrl-C stops'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain(`npx sts enroll --local --data-dir ${dataDir} --issuer demo`);
    } finally {
      stop.abort();
      expect(await exit).toBe(0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
