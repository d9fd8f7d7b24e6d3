/**
 * API Gateway answering for itself: 429 throttling and 5xx without a problem body (a Lambda failure's
 * `{"message": …}`). Waiting commands keep waiting; approve / deny retry a bounded number of times.
 * The fake broker sits behind a scripted "gateway" fetch; sleeps are recorded, never slept.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrokerClient, parseRetryAfter, RETRY_AFTER_CAP_MS } from '../../../cli/client.js';
import { backoffMs, CALL_ATTEMPTS } from '../../../cli/retry.js';
import { type FakeBroker, type FakeRequest, requesterSetup, runCli, type tempHome } from '../../support/cli-harness.js';

type Gate = (url: URL, init: RequestInit) => Response | undefined;

const throttled = (retryAfter?: string) =>
  new Response(JSON.stringify({ message: 'Too Many Requests' }), {
    status: 429,
    statusText: 'Too Many Requests',
    headers: { 'content-type': 'application/json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) },
  });
const lambdaFailure = (status = 502) =>
  new Response(JSON.stringify({ message: 'Internal server error' }), {
    status,
    headers: { 'content-type': 'application/json' },
  });

const alreadyDecided = () =>
  new Response(JSON.stringify({ code: 'already_decided', detail: 'This request has already been decided.' }), {
    status: 409,
    headers: { 'content-type': 'application/problem+json' },
  });

/** A fetch that lets `gate` answer first, then reaches the fake broker. */
function gateway(gate: Gate): typeof fetch {
  return (async (url: URL, init: RequestInit) => gate(new URL(url), init) ?? fetch(url, init)) as typeof fetch;
}

describe('the client reads what API Gateway says for itself', () => {
  const endpoint = 'https://sts.example.com/prod';
  const call = (response: Response, now = 0) =>
    new BrokerClient({ endpoint, fetch: (async () => response) as typeof fetch, now: () => now }).getRequest(
      'r_0123456789abcdefghjkmnpqrs',
    );

  it('429 without a problem body is throttling, with its Retry-After', async () => {
    await expect(call(throttled('7'))).rejects.toMatchObject({
      name: 'NetworkError',
      reason: 'throttled',
      retryAfterMs: 7000,
    });
  });

  it("a Lambda failure's {message} 500 / 502 / 503 / 504 is unavailable, not 'not a broker'", async () => {
    for (const status of [500, 502, 503, 504]) {
      await expect(call(lambdaFailure(status))).rejects.toMatchObject({ name: 'NetworkError', reason: 'unavailable' });
    }
    await expect(call(lambdaFailure(500))).rejects.toMatchObject({ detail: 'HTTP 500: Internal server error' });
  });

  it("a problem+json 5xx is the broker's own answer and keeps its code", async () => {
    const problem = new Response(JSON.stringify({ code: 'internal', detail: 'Internal error.' }), {
      status: 500,
      headers: { 'content-type': 'application/problem+json' },
    });
    await expect(call(problem)).rejects.toMatchObject({ name: 'ApiError', code: 'internal' });
  });

  it('Retry-After: seconds or an HTTP date, never negative, capped', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('86400', now)).toBe(RETRY_AFTER_CAP_MS);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, and never less than Retry-After', () => {
    expect(backoffMs(1, undefined, () => 0)).toBe(250);
    expect(backoffMs(1, undefined, () => 1)).toBe(500);
    expect(backoffMs(4, undefined, () => 0)).toBe(2000);
    expect(backoffMs(20, undefined, () => 1)).toBe(10_000);
    expect(backoffMs(1, 7000, () => 0)).toBe(7000);
    expect(backoffMs(1, 7000, () => 1)).toBe(7250);
  });
});

describe('waiting through a busy gateway', () => {
  let broker: FakeBroker;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  beforeEach(async () => {
    ({ home, broker, env } = await requesterSetup({ plan: ['AWAITING_APPROVAL', 'MINTED'] }));
  });
  afterEach(async () => {
    await broker.close();
    home.cleanup();
  });

  it('sts request keeps polling through many 429s, sleeping at least what Retry-After asks', async () => {
    let refused = 0;
    const sleeps: number[] = [];
    const fetch = gateway((_, init) => (init.method === 'GET' && refused++ < 12 ? throttled('2') : undefined));
    const result = await runCli(['request', '--totp-code', '123456'], env, {
      fetch,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('AWS_ACCESS_KEY_ID=ASIATESTACCESSKEY001');
    // twelve throttled polls (more than the five failures a broken broker is allowed), each honoured
    expect(sleeps.filter((ms) => ms >= 2000)).toHaveLength(12);
  });

  it("sts wait rides out a Lambda failure's plain 503s and 500s", async () => {
    const first = await runCli(['request', '--totp-code', '123456', '--no-wait', '--json'], env);
    const { id } = JSON.parse(first.stdout);
    let failing = 8;
    const fetch = gateway((_, init) =>
      init.method === 'GET' && failing-- > 0 ? lambdaFailure(failing % 2 ? 503 : 500) : undefined,
    );
    const result = await runCli(['wait', id, '--format', 'json'], env, { fetch });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ AccessKeyId: 'ASIATESTACCESSKEY001' });
  });

  it('stops once the decision deadline (plus grace) has passed, saying how to resume (exit 75)', async () => {
    const first = await runCli(['request', '--totp-code', '123456', '--no-wait', '--json'], env);
    const { id } = JSON.parse(first.stdout);
    let clock = Date.now();
    const result = await runCli(['wait', id], env, {
      fetch: gateway((_, init) => (init.method === 'GET' ? throttled('30') : undefined)),
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    expect(result.code).toBe(75);
    expect(result.stderr).toContain('is throttling requests (HTTP 429 Too Many Requests)');
    expect(result.stderr).toContain(`resume with \`sts wait ${id}\``);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('sts request retries a throttled create (never processed) and goes on', async () => {
    let refused = 0;
    const fetch = gateway((url, init) =>
      init.method === 'POST' && url.pathname === '/v1/requests' && refused++ < 2 ? throttled() : undefined,
    );
    const result = await runCli(['request', '--totp-code', '123456'], env, { fetch });
    expect(result.code, result.stderr).toBe(0);
    expect(broker.requests.size).toBe(1);
  });

  it('sts request does not repeat a create that failed with a 5xx (it may have happened)', async () => {
    const fetch = gateway((url, init) =>
      init.method === 'POST' && url.pathname === '/v1/requests' ? lambdaFailure(502) : undefined,
    );
    const result = await runCli(['request', '--totp-code', '123456'], env, { fetch });
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('is unavailable (HTTP 502: Internal server error)');
  });
});

describe('sts approve / deny against a busy gateway', () => {
  const ID = 'r_0123456789abcdefghjkmnpqrs';
  let broker: FakeBroker;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;
  let request: FakeRequest;
  const argv = ['approve', ID, '--yes', '--totp-code', '123456'];
  const posts = () => broker.calls.filter((call) => call.method === 'POST');

  beforeEach(async () => {
    ({ home, broker, env } = await requesterSetup({}));
    env.STS_ACCOUNT_NAME = 'bob';
    request = broker.seed({
      id: ID,
      status: 'AWAITING_APPROVAL',
      issuer: 'acme',
      accountName: 'alice',
      role: 'admin',
      createdAt: new Date().toISOString(),
      decisionDeadline: new Date(Date.now() + 600_000).toISOString(),
      verificationCode: 'K7Q-M2X',
    });
  });
  afterEach(async () => {
    await broker.close();
    home.cleanup();
  });

  it('retries a throttled approve and succeeds', async () => {
    let refused = 0;
    const fetch = gateway((_, init) => (init.method === 'POST' && refused++ < 2 ? throttled('1') : undefined));
    const result = await runCli(argv, env, { fetch });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Approved ${ID}`);
    expect(posts()).toHaveLength(1); // the two throttled ones never reached the broker
  });

  it('gives up after a bounded number of tries and says the broker is throttling (exit 75)', async () => {
    let tries = 0;
    const fetch = gateway((_, init) => {
      if (init.method !== 'POST') return undefined;
      tries++;
      return throttled();
    });
    const result = await runCli(['deny', ID, '--yes', '--totp-code', '123456'], env, { fetch });
    expect(result.code).toBe(75);
    expect(tries).toBe(CALL_ATTEMPTS);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      `sts: The broker at ${broker.url} is throttling requests (HTTP 429 Too Many Requests) and still was after ${CALL_ATTEMPTS} tries: wait a minute, then run the command again.`,
    );
    expect(posts()).toHaveLength(0);
  });

  it('gives up on a gateway that keeps failing with its own 502 (exit 69)', async () => {
    const fetch = gateway((_, init) => (init.method === 'POST' ? lambdaFailure(502) : undefined));
    const result = await runCli(argv, env, { fetch });
    expect(result.code).toBe(69);
    expect(result.stderr).toContain(`kept failing (HTTP 502: Internal server error) after ${CALL_ATTEMPTS} tries`);
  });

  it('an approve that went through before a 504 counts as done, though the retry hears "already decided"', async () => {
    let posts = 0;
    const fetch: typeof globalThis.fetch = (async (url: URL, init: RequestInit) => {
      if (init.method !== 'POST') return globalThis.fetch(url, init);
      posts++;
      if (posts === 1) {
        await globalThis.fetch(url, init); // reaches the broker, which approves...
        request.view.approvedBy = 'bob';
        return lambdaFailure(504); // ...but the gateway times out
      }
      return alreadyDecided();
    }) as typeof globalThis.fetch;
    const result = await runCli(argv, env, { fetch });
    expect(result.code, result.stderr).toBe(0);
    expect(posts).toBe(2);
    expect(result.stdout).toContain(`Approved ${ID}`);
  });

  it('but "already decided" by someone else after a 504 stays a refusal', async () => {
    let posts = 0;
    const fetch: typeof globalThis.fetch = (async (url: URL, init: RequestInit) => {
      if (init.method !== 'POST') return globalThis.fetch(url, init);
      if (++posts === 1) {
        request.view.status = 'APPROVED';
        request.view.approvedBy = 'carol';
        return lambdaFailure(504);
      }
      return alreadyDecided();
    }) as typeof globalThis.fetch;
    const result = await runCli(argv, env, { fetch });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('(already_decided)');
  });

  it("a problem+json 500 from the broker itself is not retried and keeps today's sentence", async () => {
    let tries = 0;
    const fetch = gateway((_, init) => {
      if (init.method !== 'POST') return undefined;
      tries++;
      return new Response(JSON.stringify({ code: 'internal', detail: 'Internal error.' }), {
        status: 500,
        headers: { 'content-type': 'application/problem+json' },
      });
    });
    const result = await runCli(argv, env, { fetch });
    expect(tries).toBe(1);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('(internal)');
  });
});
