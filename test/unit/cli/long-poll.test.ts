/**
 * The CLI's waits with long-polls (`GET /v1/requests/{id}?wait=20&status=<last seen>`) against a fake
 * broker that either long-polls (answers with `Sts-Wait`) or is one from before long-polls (ignores the
 * query, no header), where the CLI falls back to polling. Sleeps are recorded, never slept.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrokerClient } from '../../../cli/client.js';
import {
  type FakeBroker,
  type FakeBrokerOptions,
  runCli,
  startFakeBroker,
  tempHome,
} from '../../support/cli-harness.js';

describe('waiting with long-polls', () => {
  let broker: FakeBroker;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;
  let slept: number[];
  const sleep = async (ms: number) => {
    slept.push(ms);
  };

  beforeEach(() => {
    home = tempHome();
    slept = [];
  });
  afterEach(async () => {
    await broker?.close();
    home.cleanup();
  });

  async function start(options: FakeBrokerOptions) {
    broker = await startFakeBroker(options);
    env = {
      HOME: home.home,
      STS_ENDPOINT: broker.url,
      STS_ISSUER: 'acme',
      STS_ACCOUNT_NAME: 'alice',
      STS_ROLE: 'admin',
    };
  }
  /** The paths of the GETs of the (one) request, in order. */
  const gets = () => broker.calls.filter((c) => c.method === 'GET' && c.path.startsWith('/v1/requests/'));
  const idOf = () => [...broker.requests.keys()][0];

  it('sts request asks the broker to wait on the status it last saw, and never sleeps in between', async () => {
    await start({ waitHeader: 20, plan: ['VERIFYING', 'AWAITING_APPROVAL', 'APPROVED', 'MINTED'] });
    const result = await runCli(['request', '--totp-code', '123456'], env, { sleep });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('export AWS_ACCESS_KEY_ID=');
    const id = idOf();
    expect(gets().map((c) => c.path)).toEqual([
      `/v1/requests/${id}`,
      `/v1/requests/${id}?wait=20&status=VERIFYING`,
      `/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL`,
      `/v1/requests/${id}?wait=20&status=APPROVED`,
    ]);
    expect(slept).toEqual([]);
  });

  it('waits again, at once, when a long-poll ends with the status unchanged', async () => {
    await start({ waitHeader: 20, plan: ['AWAITING_APPROVAL', 'AWAITING_APPROVAL', 'AWAITING_APPROVAL', 'MINTED'] });
    const started = Date.now();
    const result = await runCli(['request', '--totp-code', '123456'], env, {
      sleep,
      // The clock moves 10 s per look: each wait lasted at least half its 20 s, as far as the CLI can tell.
      now: (() => {
        let t = started;
        return () => {
          t += 10_000;
          return t;
        };
      })(),
    });
    expect(result.code, result.stderr).toBe(0);
    const id = idOf();
    expect(gets().map((c) => c.path)).toEqual([
      `/v1/requests/${id}`,
      `/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL`,
      `/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL`,
      `/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL`,
    ]);
    expect(slept).toEqual([]);
  });

  it('does not spin on a broker that says it waits but answers the same status at once', async () => {
    await start({ waitHeader: 20, plan: ['AWAITING_APPROVAL', 'AWAITING_APPROVAL', 'AWAITING_APPROVAL', 'MINTED'] });
    const result = await runCli(['request', '--totp-code', '123456'], env, { sleep });
    expect(result.code, result.stderr).toBe(0);
    // Two same-status answers well before their 20 s: the CLI paused before each next call, as when polling.
    expect(slept).toEqual([250, 375]);
  });

  it('passes the count of approvals, so each approval of a quorum is shown as it is counted', async () => {
    const quorum = { approvalsRequired: 2 };
    await start({
      waitHeader: 20,
      plan: [
        { status: 'AWAITING_APPROVAL', ...quorum, approvals: [] },
        { status: 'AWAITING_APPROVAL', ...quorum, approvals: ['bob'] },
        { status: 'APPROVED', ...quorum, approvals: ['bob', 'carol'] },
        { status: 'MINTED', ...quorum, approvals: ['bob', 'carol'] },
      ],
    });
    const result = await runCli(['request', '--totp-code', '123456'], env, { sleep });
    expect(result.code, result.stderr).toBe(0);
    const id = idOf();
    expect(gets().map((c) => c.path)).toEqual([
      `/v1/requests/${id}`,
      `/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL&approvals=0`,
      `/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL&approvals=1`,
      `/v1/requests/${id}?wait=20&status=APPROVED&approvals=2`,
    ]);
    expect(result.stderr).toContain('approvals: 1 of 2 (bob)');
    expect(result.stderr).toContain('approvals: 2 of 2 (bob, carol)');
    expect(slept).toEqual([]);
  });

  it.each([
    ['a broker from before long-polls (no Sts-Wait)', undefined],
    ['a broker that does not wait (Sts-Wait: 0)', 0],
  ])('falls back to polling against %s', async (_, waitHeader) => {
    await start({ waitHeader, plan: ['VERIFYING', 'AWAITING_APPROVAL', 'AWAITING_APPROVAL', 'APPROVED', 'MINTED'] });
    const result = await runCli(['request', '--totp-code', '123456'], env, { sleep });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('export AWS_ACCESS_KEY_ID=');
    const id = idOf();
    // One long-poll, answered at once with no promise to wait: plain polls from then on, paced by sleeps.
    expect(gets().map((c) => c.path)).toEqual([
      `/v1/requests/${id}`,
      `/v1/requests/${id}?wait=20&status=VERIFYING`,
      `/v1/requests/${id}`,
      `/v1/requests/${id}`,
      `/v1/requests/${id}`,
    ]);
    // Paced as before long-polls: 250 ms rising, back to 250 ms after each change of status.
    expect(slept).toEqual([250, 375, 250]);
  });

  it('Ctrl-C aborts the long-poll in flight at once, keeps the key and says how to resume (exit 130)', async () => {
    const interrupt = new AbortController();
    let closed: Promise<void> | undefined;
    await start({
      plan: ['AWAITING_APPROVAL'],
      holdWaits: true,
      onHold: (held) => {
        closed = held.closed;
        interrupt.abort();
      },
    });
    const result = await runCli(['request', '--totp-code', '123456'], env, { sleep, signal: interrupt.signal });
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`sts wait ${idOf()}`);
    // The held call was hung up by the CLI, not answered.
    expect(closed).toBeDefined();
    await closed;
  });

  it('sts request --no-wait long-polls while the code is checked; sts wait then long-polls for the credentials', async () => {
    await start({ waitHeader: 20, plan: ['VERIFYING', 'AWAITING_APPROVAL', 'MINTED'] });
    const first = await runCli(['request', '--totp-code', '123456', '--no-wait'], env, { sleep });
    expect(first.code, first.stderr).toBe(0);
    const id = idOf();
    const second = await runCli(['wait', id], env, { sleep });
    expect(second.code, second.stderr).toBe(0);
    expect(gets().map((c) => c.path)).toEqual([
      `/v1/requests/${id}`,
      `/v1/requests/${id}?wait=20&status=VERIFYING`,
      `/v1/requests/${id}`,
    ]);
    expect(slept).toEqual([]);
  });

  it.each([
    ['sts get --format credential-process', ['get', '--totp-code', '123456', '--format', 'credential-process']],
    ['sts exec', ['exec', '--totp-code', '123456', '--', process.execPath, '-e', '0']],
  ])('%s waits with long-polls too', async (_, argv) => {
    await start({ waitHeader: 20, plan: ['VERIFYING', 'AWAITING_APPROVAL', 'MINTED'] });
    const result = await runCli(argv, env, { sleep });
    expect(result.code, result.stderr).toBe(0);
    const id = idOf();
    expect(gets().map((c) => c.path)).toEqual([
      `/v1/requests/${id}`,
      `/v1/requests/${id}?wait=20&status=VERIFYING`,
      `/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL`,
    ]);
    expect(slept).toEqual([]);
  });
});

describe('BrokerClient.watchRequest', () => {
  const id = 'r_0123456789abcdefghjkmnpqrs';
  /** Answers after `ms` (or fails when the call's signal aborts first), with `Sts-Wait` when given. */
  const slowBroker = (ms: number, waitHeader?: string) =>
    (async (url: URL, init: RequestInit) => {
      seen.push(String(url));
      return new Promise<Response>((resolve, reject) => {
        const timer = setTimeout(() => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (waitHeader !== undefined) headers['sts-wait'] = waitHeader;
          resolve(new Response(JSON.stringify({ id, status: 'APPROVED' }), { status: 200, headers }));
        }, ms);
        init.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(init.signal?.reason);
        });
      });
    }) as unknown as typeof fetch;
  let seen: string[];
  beforeEach(() => {
    seen = [];
  });

  it('gives the call the wait on top of its usual timeout, and reads Sts-Wait', async () => {
    // Slower than the usual timeout, well inside the wait: a long-poll that answers late is not a timeout.
    const client = new BrokerClient({
      endpoint: 'https://sts.example.com/stage',
      timeoutMs: 20,
      fetch: slowBroker(200, '1'),
    });
    await expect(client.getRequest(id)).rejects.toMatchObject({ name: 'NetworkError', reason: 'timeout' });
    const watched = await client.watchRequest(id, 'AWAITING_APPROVAL', 1);
    expect(watched).toEqual({ view: { id, status: 'APPROVED' }, waitSeconds: 1 });
    expect(seen[1]).toBe(`https://sts.example.com/stage/v1/requests/${id}?wait=1&status=AWAITING_APPROVAL`);
  });

  it.each([
    ['absent', undefined, undefined],
    ['0', '0', 0],
    ['not a number', 'soon', undefined],
  ])('reads an Sts-Wait that is %s as %j', async (_, header, expected) => {
    const client = new BrokerClient({ endpoint: 'https://sts.example.com', fetch: slowBroker(0, header) });
    expect((await client.watchRequest(id, 'VERIFYING', 20)).waitSeconds).toBe(expected);
  });
});
