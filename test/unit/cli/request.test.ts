import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeBroker,
  fakeTerminal,
  runCli,
  sampleCredentials,
  startFakeBroker,
  tempHome,
} from '../../support/cli-harness.js';

describe('sts request', () => {
  let broker: FakeBroker | undefined;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  beforeEach(() => {
    home = tempHome();
    env = { HOME: home.home, STS_ISSUER: 'acme', STS_ACCOUNT_NAME: 'alice' };
  });
  afterEach(async () => {
    await broker?.close();
    broker = undefined;
    home.cleanup();
  });

  const keyDir = () => join(home.home, '.local', 'state', 'stsftw', 'requests');
  const start = async (options: Parameters<typeof startFakeBroker>[0] = {}) => {
    broker = await startFakeBroker(options);
    env.STS_ENDPOINT = broker.url;
    return broker;
  };

  it('prints the id, verification code and approver command, then the credentials once approved', async () => {
    const credentials = sampleCredentials('2030-01-01T00:00:00.000Z');
    await start({ credentials, plan: ['VERIFYING', 'AWAITING_APPROVAL', 'AWAITING_APPROVAL', 'APPROVED', 'MINTED'] });
    const result = await runCli(['request', '--role', 'admin', '--reason', 'deploy', '--totp-code', '123456'], env);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'export AWS_ACCESS_KEY_ID=ASIATESTACCESSKEY001',
        'export AWS_SECRET_ACCESS_KEY=test/secret+key=0123456789abcdefghijklmn',
        'export AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjTESTSESSIONTOKEN/+=',
        'export AWS_CREDENTIAL_EXPIRATION=2030-01-01T00:00:00.000Z',
        '',
      ].join('\n'),
    );
    const [request] = broker!.requests.values();
    expect(result.stderr).toContain(request.id);
    expect(result.stderr).toContain(request.view.verificationCode);
    expect(result.stderr).toContain(`sts approve ${request.id}`);
    expect(request.body).toMatchObject({
      issuer: 'acme',
      accountName: 'alice',
      role: 'admin',
      totpCode: '123456',
      reason: 'deploy',
    });
    expect(request.body.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // the private key is gone once the credentials are opened
    expect(readdirSync(keyDir())).toEqual([]);
    // not a TTY: no spinner escapes
    expect(result.stderr).not.toContain('\x1b[');
  });

  it('asks for the TOTP code on the terminal, hidden, when no --totp-code is given', async () => {
    await start({ plan: ['MINTED'] });
    const tty = fakeTerminal(['654 321']);
    const result = await runCli(['request', '--role', 'admin'], env, { terminal: tty.terminal });
    expect(result.code).toBe(0);
    expect(tty.questions).toEqual([{ question: 'TOTP code for alice (acme): ', hidden: true }]);
    expect([...broker!.requests.values()][0].body.totpCode).toBe('654321');
  });

  it('refuses with a sentence when there is neither --totp-code nor a terminal', async () => {
    await start();
    const result = await runCli(['request', '--role', 'admin'], env);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('pass --totp-code');
    expect(broker!.calls).toEqual([]);
  });

  it.each([
    ['DENIED', 10, 'was denied by carol ("use the read-only role")'],
    ['EXPIRED', 11, 'expired: nobody decided'],
    ['REJECTED', 12, 'was rejected: The account name or TOTP code is not valid.'],
    ['FAILED', 13, 'failed on the broker'],
  ])('ends %s with exit code %i and a sentence', async (status, code, sentence) => {
    await start({
      plan: ['VERIFYING', status],
      deniedBy: 'carol',
      denialReason: 'use the read-only role',
      error:
        status === 'REJECTED'
          ? { code: 'invalid_credentials', message: 'The account name or TOTP code is not valid.' }
          : { code: 'sts_failed', message: 'AssumeRole failed.' },
    });
    const result = await runCli(['request', '--role', 'admin', '--totp-code', '123456'], env);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(sentence);
    if (status === 'REJECTED') expect(result.stderr).toContain('(invalid_credentials)');
    expect(result.stdout).toBe('');
    expect(readdirSync(keyDir())).toEqual([]);
  });

  it('says the broker restarted when a request failed with broker_restarted', async () => {
    await start({ plan: ['FAILED'], error: { code: 'broker_restarted', message: 'The broker restarted.' } });
    const result = await runCli(['request', '--role', 'admin', '--totp-code', '123456'], env);
    expect(result.code).toBe(13);
    expect(result.stderr).toContain('the broker restarted while it was open');
  });

  it('--no-wait --json prints {id, verificationCode, decisionDeadline} and keeps the key (0600) for sts wait', async () => {
    await start({ plan: ['AWAITING_APPROVAL', 'AWAITING_APPROVAL', 'MINTED'] });
    const first = await runCli(['request', '--role', 'admin', '--totp-code', '123456', '--no-wait', '--json'], env);
    expect(first.code).toBe(0);
    const printed = JSON.parse(first.stdout);
    const [request] = broker!.requests.values();
    expect(printed).toEqual({
      id: request.id,
      verificationCode: request.view.verificationCode,
      decisionDeadline: request.view.decisionDeadline,
    });
    const keyFile = join(keyDir(), `${request.id}.json`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(keyDir()).mode & 0o777).toBe(0o700);

    // `sts wait` uses the saved endpoint even without STS_ENDPOINT
    const { STS_ENDPOINT: _, ...withoutEndpoint } = env;
    const second = await runCli(['wait', request.id, '--format', 'json'], withoutEndpoint);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ AccessKeyId: 'ASIATESTACCESSKEY001' });
    expect(existsSync(keyFile)).toBe(false);
  });

  it('--no-wait without --json prints the id alone on stdout', async () => {
    await start();
    const result = await runCli(['request', '--role', 'admin', '--totp-code', '123456', '--no-wait'], env);
    const [request] = broker!.requests.values();
    expect(result.stdout).toBe(`${request.id}\n`);
    expect(result.stderr).toContain(`sts wait ${request.id}`);
  });

  it('--no-wait with a refused code exits 12 with the reason, and never shows an approver command', async () => {
    await start({
      plan: ['VERIFYING', 'VERIFYING', 'REJECTED'],
      error: { code: 'invalid_credentials', message: 'The account name or TOTP code is not valid.' },
    });
    const result = await runCli(['request', '--role', 'admin', '--totp-code', '123456', '--no-wait', '--json'], env);
    expect(result.code).toBe(12);
    expect(result.stderr).toContain('was rejected: The account name or TOTP code is not valid.');
    expect(result.stderr).toContain('(invalid_credentials)');
    expect(result.stderr).not.toContain('sts approve');
    expect(result.stderr).not.toContain('needs approval');
    expect(result.stdout).toBe('');
    // the request is over: its key is of no use
    expect(readdirSync(keyDir())).toEqual([]);
  });

  it('--no-wait for an account that needs no approver says so, prints the id and keeps the key for sts wait', async () => {
    await start({ plan: ['VERIFYING', 'MINTED'] });
    const result = await runCli(['request', '--role', 'admin', '--totp-code', '123456', '--no-wait'], env);
    const [request] = broker!.requests.values();
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${request.id}\n`);
    expect(result.stderr).toContain(`needs no approval: collect the credentials with \`sts wait ${request.id}\``);
    expect(result.stderr).not.toContain('sts approve');
    expect(result.stderr).not.toContain('needs approval');
    expect(result.stderr).not.toContain('once approved');
    const waited = await runCli(['wait', request.id, '--format', 'json'], env);
    expect(waited.code).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({ AccessKeyId: 'ASIATESTACCESSKEY001' });
  });

  it('--no-wait gives up (exit 75, key kept) when the code is still being checked long after', async () => {
    await start({ plan: ['VERIFYING'] });
    let clock = Date.now();
    const result = await runCli(['request', '--role', 'admin', '--totp-code', '123456', '--no-wait'], env, {
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const [request] = broker!.requests.values();
    expect(result.code).toBe(75);
    expect(result.stderr).toContain(`still checking your code: see \`sts wait ${request.id}\``);
    expect(result.stderr).not.toContain('sts approve');
    expect(result.stdout).toBe('');
    expect(readdirSync(keyDir())).toEqual([`${request.id}.json`]);
  });

  it('on Ctrl-C tells how to resume, keeps the key and exits 130', async () => {
    const interrupt = new AbortController();
    await start({
      plan: ['AWAITING_APPROVAL'],
      onGet: (request) => {
        if (request.gets === 2) interrupt.abort();
      },
    });
    const result = await runCli(['request', '--role', 'admin', '--totp-code', '123456'], env, {
      signal: interrupt.signal,
    });
    const [request] = broker!.requests.values();
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`sts wait ${request.id}`);
    expect(existsSync(join(keyDir(), `${request.id}.json`))).toBe(true);
  });

  it('sts wait without a key on this machine says where to run it', async () => {
    await start();
    const result = await runCli(['wait', 'r_0123456789abcdefghjkmnpqrs'], env);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('No key for r_0123456789abcdefghjkmnpqrs on this machine');
  });

  it('sts wait refuses something that is not a request id', async () => {
    const result = await runCli(['wait', '../../etc/passwd'], env);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('is not a request id');
  });

  it('refuses a broker whose verification code does not match our key', async () => {
    await start({ verificationCode: 'AAA-AAA' });
    const result = await runCli(['request', '--role', 'admin', '--totp-code', '123456'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('does not match');
    expect(result.stdout).toBe('');
  });

  it("announces the approver command only once the requester's code was accepted", async () => {
    await start({ plan: ['REJECTED'] });
    const result = await runCli(['request', '--role', 'admin', '--totp-code', '123456'], env);
    expect(result.code).toBe(12);
    expect(result.stderr).not.toContain('needs approval');
    expect(result.stderr).not.toContain('sts approve');
  });

  it("names the issuer and the asked-for approver in the approver's command", async () => {
    await start({ plan: ['AWAITING_APPROVAL', 'MINTED'] });
    const result = await runCli(
      ['request', '--role', 'admin', '--secondary-authorizer', 'bob', '--totp-code', '123456'],
      env,
    );
    expect(result.code).toBe(0);
    const [request] = broker!.requests.values();
    expect(result.stderr).toContain(`sts approve ${request.id} --issuer acme --account-name bob`);
  });

  it('when the broker goes away mid-wait, says how to resume', async () => {
    const fake = await start({
      plan: ['AWAITING_APPROVAL'],
      // The broker dies after answering the first poll.
      onGet: () => {
        setImmediate(() => void fake.close());
      },
    });
    const result = await runCli(['request', '--role', 'admin', '--totp-code', '123456'], env, {
      sleep: async () => undefined,
    });
    const [request] = fake.requests.values();
    expect(result.code).toBe(69);
    expect(result.stderr).toContain(`resume with \`sts wait ${request.id}\``);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // the key stays for that resume
    expect(readdirSync(keyDir())).toEqual([`${request.id}.json`]);
    broker = undefined;
  });

  it('sts wait goes to an explicit --endpoint rather than the saved one', async () => {
    await start({ plan: ['AWAITING_APPROVAL'] });
    const first = await runCli(['request', '--role', 'admin', '--totp-code', '123456', '--no-wait', '--json'], env);
    const { id } = JSON.parse(first.stdout);
    const { STS_ENDPOINT: _, ...withoutEndpoint } = env;
    const elsewhere = 'http://127.0.0.1:9';
    const result = await runCli(['wait', id, '--endpoint', elsewhere], withoutEndpoint, {
      sleep: async () => undefined,
    });
    expect(result.code).toBe(69);
    expect(result.stderr).toContain(elsewhere);
    expect(result.stderr).not.toContain(broker!.url);
  });

  it('names the missing setting', async () => {
    const result = await runCli(['request', '--totp-code', '123456'], { HOME: home.home });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('No broker endpoint');
  });

  it('--local reads the endpoint from <data-dir>/server.json and tells the approver to use --local', async () => {
    await start({ plan: ['AWAITING_APPROVAL', 'MINTED'] });
    const dataDir = join(home.home, 'broker');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'server.json'), JSON.stringify({ version: 1, endpoint: broker!.url }));
    const { STS_ENDPOINT: _, ...localEnv } = env;
    const result = await runCli(
      ['request', '--local', '--data-dir', dataDir, '--role', 'admin', '--totp-code', '123456'],
      localEnv,
    );
    expect(result.code).toBe(0);
    const [request] = broker!.requests.values();
    expect(result.stderr).toContain(`sts approve --local --data-dir ${dataDir} ${request.id}`);
  });

  it('--local without a running broker says how to start one', async () => {
    const result = await runCli(['request', '--local', '--data-dir', join(home.home, 'none'), '--role', 'a'], env);
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('sts server --data-dir');
  });

  it('stops waiting (exit 75) when a request stays unsettled long past its deadline', async () => {
    await start({ plan: ['AWAITING_APPROVAL'] });
    let clock = Date.now();
    const result = await runCli(['request', '--role', 'admin', '--totp-code', '123456'], env, {
      now: () => clock,
      sleep: async () => {
        clock += 60_000;
      },
    });
    expect(result.code).toBe(75);
    expect(result.stderr).toContain('long after its deadline');
  });

  it('rides out a transient broker error while polling', async () => {
    let failures = 0;
    await start({ plan: ['AWAITING_APPROVAL', 'MINTED'] });
    const realFetch = fetch;
    const flaky = (async (url: URL, init: RequestInit) => {
      if (init.method === 'GET' && failures++ < 2) return new Response('', { status: 503 });
      return realFetch(url, init);
    }) as typeof fetch;
    const result = await runCli(['request', '--role', 'admin', '--totp-code', '123456'], env, { fetch: flaky });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('AWS_ACCESS_KEY_ID');
  });

  it('draws a spinner only when stderr is a terminal', async () => {
    await start({ plan: ['VERIFYING', 'AWAITING_APPROVAL', 'MINTED'] });
    const { PassThrough } = await import('node:stream');
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    let text = '';
    stderr.on('data', (chunk) => {
      text += chunk;
    });
    const result = await runCli(['request', '--role', 'admin', '--totp-code', '123456'], env, { stderr });
    expect(result.code).toBe(0);
    expect(text).toContain('\x1b[2K');
    expect(text).toMatch(/Checking your code for r_\w+ — 0:00/);
  });
});
