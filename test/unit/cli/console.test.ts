/**
 * `sts console` against a fake federation endpoint (STSFTW_TEST_FEDERATION_URL): the exact query it
 * receives (getSigninToken with the session JSON, no SessionDuration) and the login URL printed or opened.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { destinationUrl, partitionOf } from '../../../cli/console-url.js';
import {
  type FakeBroker,
  requesterSetup,
  runCli,
  sampleCredentials,
  type tempHome,
} from '../../support/cli-harness.js';

const EXPIRATION = '2030-01-01T00:00:00.000Z';
const TOKEN = 'fake-signin-token/+=&x';

interface FakeFederation {
  url: string;
  queries: URLSearchParams[];
  close(): Promise<void>;
}

async function startFederation(answer: { status: number; body: string }): Promise<FakeFederation> {
  const queries: URLSearchParams[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/federation') queries.push(url.searchParams);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/federation`,
    queries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('sts console', () => {
  let broker: FakeBroker;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;
  let federation: FakeFederation;

  async function setup(
    answer = { status: 200, body: JSON.stringify({ SigninToken: TOKEN }) },
    credentials = sampleCredentials(EXPIRATION),
  ) {
    ({ home, broker, env } = await requesterSetup({ plan: ['MINTED'], credentials }));
    federation = await startFederation(answer);
    env = { ...env, STSFTW_TEST_FEDERATION_URL: federation.url };
  }
  beforeEach(() => {
    federation = undefined as unknown as FakeFederation;
  });
  afterEach(async () => {
    await broker?.close();
    await federation?.close();
    home?.cleanup();
  });

  it('exchanges the credentials for a sign-in token and prints the login URL with --print-url', async () => {
    await setup();
    const result = await runCli(['console', '--totp-code', '123456', '--region', 'eu-west-1', '--print-url'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(federation.queries).toHaveLength(1);
    const query = federation.queries[0];
    expect([...query.keys()].sort()).toEqual(['Action', 'Session']);
    expect(query.get('Action')).toBe('getSigninToken');
    expect(JSON.parse(query.get('Session') ?? '')).toEqual({
      sessionId: 'ASIATESTACCESSKEY001',
      sessionKey: 'test/secret+key=0123456789abcdefghijklmn',
      sessionToken: 'IQoJb3JpZ2luX2VjTESTSESSIONTOKEN/+=',
    });
    const printed = new URL(result.stdout.trim());
    expect(`${printed.origin}${printed.pathname}`).toBe(federation.url);
    expect(Object.fromEntries(printed.searchParams)).toEqual({
      Action: 'login',
      Issuer: 'stsftw',
      Destination: 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1',
      SigninToken: TOKEN,
    });
    // The token and the credentials appear nowhere but in the URL on stdout.
    expect(result.stderr).not.toContain('fake-signin-token');
    expect(result.stderr).not.toContain('test/secret');
  });

  it('--service picks the service home; login is the same command', async () => {
    await setup();
    const result = await runCli(
      ['login', '--totp-code', '123456', '--service', 's3', '--region', 'us-west-2', '--print-url'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(new URL(result.stdout.trim()).searchParams.get('Destination')).toBe(
      'https://us-west-2.console.aws.amazon.com/s3/home?region=us-west-2',
    );
  });

  it('--destination is used as given; the cached credentials answer the second time without a code', async () => {
    await setup();
    await runCli(['exec', '--totp-code', '123456', '--', process.execPath, '-e', '0'], env);
    const calls = broker.calls.length;
    const page = 'https://console.aws.amazon.com/iam/home#/roles';
    const result = await runCli(['console', '--destination', page, '--print-url'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(broker.calls.length).toBe(calls);
    expect(new URL(result.stdout.trim()).searchParams.get('Destination')).toBe(page);
  });

  it('opens the browser of $BROWSER with the URL as its one argument, and says so without the URL', async () => {
    await setup();
    const seen = join(home.home, 'seen-url');
    const browser = join(home.home, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > '${seen}.tmp' && mv '${seen}.tmp' '${seen}'\n`);
    chmodSync(browser, 0o755);
    const result = await runCli(['console', '--totp-code', '123456', '--region', 'eu-west-1'], {
      ...env,
      BROWSER: browser,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Opened the console with ${browser}`);
    expect(result.stderr).not.toContain('SigninToken');
    for (let i = 0; i < 200 && !existsSync(seen); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(new URL(readFileSync(seen, 'utf8')).searchParams.get('SigninToken')).toBe(TOKEN);
  });

  it('prints the URL with a sentence when no browser can be started', async () => {
    await setup();
    const result = await runCli(['console', '--totp-code', '123456'], {
      ...env,
      BROWSER: join(home.home, 'no-such-browser'),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Cannot open a browser');
    expect(result.stderr).toContain('within 15 minutes');
    expect(new URL(result.stdout.trim()).searchParams.get('SigninToken')).toBe(TOKEN);
  });

  it('a refusal of the endpoint is a sentence with exit 1, never the credentials', async () => {
    await setup({ status: 400, body: 'Bad Request' });
    const result = await runCli(['console', '--totp-code', '123456', '--print-url'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^sts: The AWS sign-in endpoint 127\.0\.0\.1:\d+ refused these credentials \(HTTP 400\)/,
    );
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain('test/secret');
  });

  it('an answer without a SigninToken is a sentence with exit 1; a 5xx exit 69', async () => {
    await setup({ status: 200, body: '{}' });
    const missing = await runCli(['console', '--totp-code', '123456', '--print-url'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('answered without a sign-in token');
    await federation.close();
    federation = await startFederation({ status: 503, body: '' });
    const failed = await runCli(['console', '--print-url'], { ...env, STSFTW_TEST_FEDERATION_URL: federation.url });
    expect(failed.code).toBe(69);
    expect(failed.stderr).toContain('failed (HTTP 503): try again');
  });

  it('refuses the embedded broker’s credentials before calling the endpoint', async () => {
    await setup(undefined, { ...sampleCredentials(EXPIRATION), AccessKeyId: 'ASIALOCALABCDEFGHIJK' });
    const result = await runCli(['console', '--totp-code', '123456', '--print-url'], env);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('not valid on AWS');
    expect(federation.queries).toHaveLength(0);
  });

  it('honours the test-only federation URL on loopback alone: the credentials are sent there', async () => {
    await setup();
    const result = await runCli(['console', '--totp-code', '123456', '--print-url'], {
      ...env,
      STSFTW_TEST_FEDERATION_URL: 'https://evil.example/federation',
    });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('must name a loopback address');
    expect(result.stdout).toBe('');
    expect(broker.calls).toEqual([]);
  });

  it('refuses --service with --destination, and a destination that is not https', async () => {
    await setup();
    const both = await runCli(['console', '--service', 's3', '--destination', 'https://x.example', '--print-url'], env);
    expect(both.code).toBe(64);
    expect(both.stderr).toContain('not both');
    const plain = await runCli(['console', '--destination', 'http://console.aws.amazon.com/', '--print-url'], env);
    expect(plain.code).toBe(64);
    expect(plain.stderr).toContain('https://');
    expect(broker.calls).toEqual([]);
  });
});

describe('console partitions', () => {
  it.each([
    ['eu-west-1', 'signin.aws.amazon.com', 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1'],
    ['cn-north-1', 'signin.amazonaws.cn', 'https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1'],
    [
      'us-gov-west-1',
      'signin.amazonaws-us-gov.com',
      'https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1',
    ],
  ])('%s signs in at %s', (region, signinHost, home) => {
    expect(partitionOf(region).signinHost).toBe(signinHost);
    expect(destinationUrl(region, {})).toBe(home);
  });
});
