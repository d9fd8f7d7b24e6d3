import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeError } from '../../../cli/sentences/describe.js';
import { errorClasses } from '../../../lambdas/core/errors.js';
import { type FakeBroker, runCli, startFakeBroker, tempHome } from '../../support/cli-harness.js';

describe('errors → sentence and exit code', () => {
  let broker: FakeBroker | undefined;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  beforeEach(() => {
    home = tempHome();
    env = { HOME: home.home, STS_ISSUER: 'acme', STS_ACCOUNT_NAME: 'alice', STS_ROLE: 'admin' };
  });
  afterEach(async () => {
    await broker?.close();
    broker = undefined;
    home.cleanup();
  });

  it.each(Object.entries(errorClasses).map(([code, errorClass]) => [code, new errorClass()]))(
    'problem %s exits with its class’s exit code and says what to do next',
    async (code, error) => {
      broker = await startFakeBroker({ createProblem: { status: error.status, code, detail: error.message } });
      const result = await runCli(['get', '--totp-code', '123456'], { ...env, STS_ENDPOINT: broker.url });
      expect(result.code).toBe(error.exitCode);
      expect(result.stderr).toContain(error.message);
      expect(result.stderr).toContain(`(${code})`);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('an unknown problem code exits 1', async () => {
    broker = await startFakeBroker({ createProblem: { status: 418, code: 'teapot', detail: 'Short and stout.' } });
    const result = await runCli(['get', '--totp-code', '123456'], { ...env, STS_ENDPOINT: broker.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Short and stout.');
  });

  it('maps approve problems too (self_approval → 4)', async () => {
    broker = await startFakeBroker({ decisionProblem: { status: 403, code: 'self_approval' } });
    broker.seed({
      id: 'r_0123456789abcdefghjkmnpqrs',
      status: 'AWAITING_APPROVAL',
      issuer: 'acme',
      accountName: 'alice',
      role: 'admin',
      createdAt: new Date().toISOString(),
      decisionDeadline: new Date(Date.now() + 600_000).toISOString(),
    });
    const result = await runCli(['approve', 'r_0123456789abcdefghjkmnpqrs', '--yes', '--totp-code', '123456'], {
      ...env,
      STS_ENDPOINT: broker.url,
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('Ask another of your approvers');
  });

  it('broker down: one sentence, exit 69, no stack', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const result = await runCli(['get', '--totp-code', '123456'], { ...env, STS_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(69);
    expect(result.stderr).toBe(
      `sts: Cannot reach the broker at http://127.0.0.1:${port} (connection refused): check --endpoint / STS_ENDPOINT, or start a local broker with \`sts server\`.\n`,
    );
  });

  const failingFetch = (error: unknown) => (async () => Promise.reject(error)) as unknown as typeof fetch;

  it.each([
    [
      'TLS',
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      }),
      'The TLS connection to the broker at https://sts.example.com failed (DEPTH_ZERO_SELF_SIGNED_CERT)',
    ],
    [
      'DNS',
      new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }) }),
      'Cannot resolve the host of the broker at https://sts.example.com',
    ],
    [
      'connect timeout',
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' }),
      }),
      'The broker at https://sts.example.com did not answer in time',
    ],
    [
      'refused behind happy eyeballs',
      new TypeError('fetch failed', {
        cause: new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
      }),
      'connection refused',
    ],
  ])('%s failure: a sentence and exit 69', async (_, error, sentence) => {
    const result = await runCli(
      ['status', 'r_0123456789abcdefghjkmnpqrs'],
      { ...env, STS_ENDPOINT: 'https://sts.example.com' },
      {
        fetch: failingFetch(error),
      },
    );
    expect(result.code).toBe(69);
    expect(result.stderr).toContain(sentence);
  });

  it('a per-call timeout becomes "did not answer in time"', async () => {
    const hanging = (async (_url: unknown, init: RequestInit) =>
      new Promise((_, reject) =>
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      )) as typeof fetch;
    const { BrokerClient } = await import('../../../cli/client.js');
    const client = new BrokerClient({ endpoint: 'https://sts.example.com', timeoutMs: 5, fetch: hanging });
    await expect(client.health()).rejects.toMatchObject({ name: 'NetworkError', reason: 'timeout' });
  });

  it('a gateway error without a problem body reads as unavailable (69)', async () => {
    const gateway = (async () =>
      new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' })) as typeof fetch;
    const result = await runCli(
      ['status', 'r_0123456789abcdefghjkmnpqrs'],
      { ...env, STS_ENDPOINT: 'https://sts.example.com' },
      {
        fetch: gateway,
      },
    );
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('is unavailable (HTTP 502 Bad Gateway)');
  });

  it('something that is not a broker says so (69)', async () => {
    const html = (async () => new Response('<html>hello</html>', { status: 404 })) as typeof fetch;
    const result = await runCli(
      ['status', 'r_0123456789abcdefghjkmnpqrs'],
      { ...env, STS_ENDPOINT: 'https://example.com' },
      {
        fetch: html,
      },
    );
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('did not answer like an stsftw broker');
  });

  it('any other fetch failure is still a transport failure, without a stack', async () => {
    const broken = (async () => {
      throw new RangeError('boom');
    }) as unknown as typeof fetch;
    const result = await runCli(
      ['status', 'r_0123456789abcdefghjkmnpqrs'],
      { ...env, STS_ENDPOINT: 'https://sts.example.com' },
      {
        fetch: broken,
      },
    );
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('(boom)');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bug shows one sentence and exit 1; the stack only with STS_DEBUG=1', () => {
    const bug = new RangeError('index out of range');
    const plain = describeError(bug, {});
    expect(plain).toEqual({
      message: 'Unexpected error: index out of range. Rerun with STS_DEBUG=1 for details and report it if it persists.',
      exitCode: 1,
    });
    expect(describeError(bug, { STS_DEBUG: '1' }).message).toContain('    at ');
  });
});
