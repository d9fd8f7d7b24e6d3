/**
 * `GET /v1/requests/{id}?wait=S&status=X` through the Hono app, over the real broker (memory stores) and the
 * embedded broker's watcher. The store here is in memory, so the test says "written" itself
 * (`changes.changed(id)`), as the DynamoDB client hook does in the embedded broker. Nothing is timed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestChanges } from '../../../lambdas/adapters/local/request-changes.js';
import { createApp } from '../../../lambdas/api/app.js';
import { type BrokerConfig, createBroker } from '../../../lambdas/core/broker.js';
import { newRequestId } from '../../../lambdas/core/ids.js';
import type { RequestStatus } from '../../../lambdas/core/types.js';
import { memoryPorts, sampleRequest } from '../../support/memory.js';

const config: BrokerConfig = {
  partition: 'aws',
  approvalTimeoutSeconds: 900,
  maxSessionSeconds: 3600,
  requestRetentionSeconds: 86_400,
};

let ports: ReturnType<typeof memoryPorts>;
let changes: RequestChanges;
let app: ReturnType<typeof createApp>;
let broker: ReturnType<typeof createBroker>;

beforeEach(() => {
  ports = memoryPorts('2030-01-01T00:00:10.000Z');
  changes = new RequestChanges(ports.clock);
  broker = createBroker({ ...ports, config, watcher: changes });
  app = createApp({ broker, log: () => {} });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function seed(status: RequestStatus): Promise<string> {
  const record = sampleRequest(status, { taskToken: 'token' });
  await ports.requests.create(record);
  return record.id;
}

/** The store's write, and what the embedded broker's DynamoDB hook then says. */
async function write(id: string, from: RequestStatus, to: RequestStatus): Promise<void> {
  await ports.requests.transition(id, [from], to);
  changes.changed(id);
}

/**
 * GETs `path` with the timers faked, so that the wait's own deadline never fires: the answer can only come
 * at once, or from a write (`meanwhile`, run once the GET waits). A wait that is not ended fails the test.
 */
async function answerBeforeDeadline(path: string, meanwhile?: () => Promise<void>): Promise<Response> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    let answered: Response | undefined;
    void Promise.resolve(app.request(path)).then((res) => {
      answered = res;
    });
    if (meanwhile) {
      await vi.waitFor(() => expect(changes.waiting()).toBe(1));
      await meanwhile();
    }
    return await vi.waitFor(() => answered ?? Promise.reject(new Error('not answered (yet)')));
  } finally {
    vi.useRealTimers();
  }
}

async function problemOf(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { code: string; detail: string };
}

describe('GET /v1/requests/{id}?wait=S&status=X', () => {
  it('answers at once, with Sts-Wait, when the status is not the one waited on', async () => {
    const id = await seed('AWAITING_APPROVAL');
    const res = await answerBeforeDeadline(`/v1/requests/${id}?wait=20&status=VERIFYING`);
    expect(res.status).toBe(200);
    expect(res.headers.get('sts-wait')).toBe('20');
    expect(await res.json()).toMatchObject({ id, status: 'AWAITING_APPROVAL' });
    expect(changes.waiting()).toBe(0);
  });

  it('answers with the new status when the request changes while the GET waits', async () => {
    const id = await seed('AWAITING_APPROVAL');
    const res = await answerBeforeDeadline(`/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL`, () =>
      write(id, 'AWAITING_APPROVAL', 'APPROVED'),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, status: 'APPROVED' });
    expect(changes.waiting()).toBe(0);
  });

  it('keeps waiting through a write that leaves the status as it was', async () => {
    const id = await seed('AWAITING_APPROVAL');
    const reads = vi.spyOn(ports.requests, 'get');
    const pending = app.request(`/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL`);
    await vi.waitFor(() => expect(changes.waiting()).toBe(1));
    await ports.requests.addApproval(id, ['AWAITING_APPROVAL'], { accountName: 'bob', approvedAt: 'x' }, 0);
    changes.changed(id);
    // The write is read once (the status is unchanged, so the wait goes on)…
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(2));
    expect(changes.waiting()).toBe(1);
    // …and the next one answers.
    await write(id, 'AWAITING_APPROVAL', 'DENIED');
    const res = await pending;
    expect(await res.json()).toMatchObject({ status: 'DENIED', approvals: [{ accountName: 'bob' }] });
    expect(reads).toHaveBeenCalledTimes(3);
  });

  it('with approvals=N also answers when an approval is counted while the GET waits (a quorum in progress)', async () => {
    const id = await seed('AWAITING_APPROVAL');
    const res = await answerBeforeDeadline(
      `/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL&approvals=0`,
      async () => {
        await ports.requests.addApproval(id, ['AWAITING_APPROVAL'], { accountName: 'bob', approvedAt: 'x' }, 0);
        changes.changed(id);
      },
    );
    expect(res.headers.get('sts-wait')).toBe('20');
    expect(await res.json()).toMatchObject({ status: 'AWAITING_APPROVAL', approvals: [{ accountName: 'bob' }] });
    expect(changes.waiting()).toBe(0);
  });

  it('with approvals=N answers at once when the count is already another', async () => {
    const id = await seed('AWAITING_APPROVAL');
    await ports.requests.addApproval(id, ['AWAITING_APPROVAL'], { accountName: 'bob', approvedAt: 'x' }, 0);
    const res = await answerBeforeDeadline(`/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL&approvals=0`);
    expect(await res.json()).toMatchObject({ status: 'AWAITING_APPROVAL', approvals: [{ accountName: 'bob' }] });
    expect(changes.waiting()).toBe(0);
  });

  it('after the wait answers with the request as it is then', async () => {
    const id = await seed('AWAITING_APPROVAL');
    const res = await app.request(`/v1/requests/${id}?wait=1&status=AWAITING_APPROVAL`);
    expect(res.status).toBe(200);
    expect(res.headers.get('sts-wait')).toBe('1');
    expect(await res.json()).toMatchObject({ id, status: 'AWAITING_APPROVAL' });
    expect(changes.waiting()).toBe(0);
  });

  it('answers wait=0 at once', async () => {
    const id = await seed('AWAITING_APPROVAL');
    const res = await answerBeforeDeadline(`/v1/requests/${id}?wait=0&status=AWAITING_APPROVAL`);
    expect(res.headers.get('sts-wait')).toBe('0');
    expect(await res.json()).toMatchObject({ status: 'AWAITING_APPROVAL' });
  });

  it('frees the waiter when the request signal aborts (the client went away)', async () => {
    const id = await seed('AWAITING_APPROVAL');
    const client = new AbortController();
    const pending = app.request(`/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL`, { signal: client.signal });
    await vi.waitFor(() => expect(changes.waiting()).toBe(1));
    client.abort();
    await Promise.resolve(pending).catch(() => undefined);
    expect(changes.waiting()).toBe(0);
  });

  it('answers a plain GET (no wait) as before: no wait, no Sts-Wait header', async () => {
    const id = await seed('AWAITING_APPROVAL');
    const get = vi.spyOn(broker, 'getRequest');
    const res = await app.request(`/v1/requests/${id}?unknown=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('sts-wait')).toBeNull();
    expect(await res.json()).toMatchObject({ id, status: 'AWAITING_APPROVAL' });
    expect(get).toHaveBeenCalledWith(id);
    expect(changes.waiting()).toBe(0);
  });

  it('says Sts-Wait: 0 and answers at once when the broker has no watcher', async () => {
    const id = await seed('AWAITING_APPROVAL');
    const plain = createApp({ broker: createBroker({ ...ports, config }), log: () => {} });
    const res = await plain.request(`/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL`);
    expect(res.headers.get('sts-wait')).toBe('0');
    expect(await res.json()).toMatchObject({ status: 'AWAITING_APPROVAL' });
  });

  it('answers not_found for an unknown id, waiting or not', async () => {
    const res = await app.request(`/v1/requests/${newRequestId()}?wait=5&status=VERIFYING`);
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe('not_found');
    expect(changes.waiting()).toBe(0);
  });

  it.each([
    ['wait above 20', 'wait=21&status=VERIFYING', /wait must be a whole number of seconds from 0 to 20/],
    ['a fractional wait', 'wait=1.5&status=VERIFYING', /wait must be a whole number/],
    ['a negative wait', 'wait=-1&status=VERIFYING', /wait must be a whole number/],
    ['a wait with a unit', 'wait=10s&status=VERIFYING', /wait must be a whole number/],
    ['an empty wait', 'wait=&status=VERIFYING', /wait must be a whole number/],
    ['an unknown status', 'wait=5&status=PENDING', /status must be one of VERIFYING, AWAITING_APPROVAL/],
    ['a lowercase status', 'wait=5&status=verifying', /status must be one of/],
    ['wait without status', 'wait=5', /wait needs status/],
    ['status without wait', 'status=VERIFYING', /status needs wait/],
    ['wait twice', 'wait=5&wait=6&status=VERIFYING', /once each/],
    ['status twice', 'wait=5&status=VERIFYING&status=MINTED', /once each/],
    ['approvals without wait and status', 'approvals=1', /approvals needs wait and status/],
    ['approvals that is not a count', 'wait=5&status=VERIFYING&approvals=-1', /approvals must be a whole number/],
    ['approvals twice', 'wait=5&status=VERIFYING&approvals=1&approvals=2', /once each/],
  ])('refuses %s with 400 invalid_request and a sentence', async (_, query, sentence) => {
    const id = await seed('AWAITING_APPROVAL');
    const get = vi.spyOn(broker, 'getRequest');
    const res = await app.request(`/v1/requests/${id}?${query}`);
    expect(res.status).toBe(400);
    const body = await problemOf(res);
    expect(body.code).toBe('invalid_request');
    expect(body.detail).toMatch(sentence);
    expect(get).not.toHaveBeenCalled();
  });

  it('never repeats a refused value in the sentence', async () => {
    const id = await seed('AWAITING_APPROVAL');
    const res = await app.request(`/v1/requests/${id}?wait=5&status=S3CRET`);
    expect((await problemOf(res)).detail).not.toContain('S3CRET');
  });
});
