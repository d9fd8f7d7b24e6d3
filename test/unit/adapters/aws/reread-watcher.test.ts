/**
 * The API Lambda's long-poll: the broker over memory stores with `RereadWatcher`, on a manual clock whose
 * sleeper moves time on (so the backoff and the deadline are exact, and nothing waits for real).
 */
import { describe, expect, it, vi } from 'vitest';
import { RereadWatcher } from '../../../../lambdas/adapters/aws/reread-watcher.js';
import { type BrokerConfig, createBroker } from '../../../../lambdas/core/broker.js';
import type { RequestStatus } from '../../../../lambdas/core/types.js';
import { memoryPorts, sampleRequest } from '../../../support/memory.js';

const config: BrokerConfig = {
  partition: 'aws',
  approvalTimeoutSeconds: 900,
  maxSessionSeconds: 3600,
  requestRetentionSeconds: 86_400,
};

async function setup(maxWaitSeconds = 20, onSleep: (slept: number[]) => void = () => {}) {
  const ports = memoryPorts('2030-01-01T00:00:10.000Z');
  const slept: number[] = [];
  const watcher = new RereadWatcher({
    maxWaitSeconds,
    clock: ports.clock,
    sleep: async (ms) => {
      slept.push(ms);
      ports.clock.advance(ms / 1000);
      onSleep(slept);
    },
  });
  const broker = createBroker({ ...ports, config, watcher });
  const record = sampleRequest('AWAITING_APPROVAL');
  await ports.requests.create(record);
  const { id } = record;
  const reads = vi.spyOn(ports.requests, 'get');
  const move = (to: RequestStatus) => ports.requests.transition(id, ['AWAITING_APPROVAL'], to);
  return { ports, broker, id, slept, reads, move };
}

describe('RereadWatcher (AWS long-poll)', () => {
  it('re-reads after 100 ms doubling to 1 s and answers with the new status once it is read', async () => {
    let t!: Awaited<ReturnType<typeof setup>>;
    t = await setup(20, (slept) => {
      if (slept.length === 6) void t.move('APPROVED');
    });
    const view = await t.broker.getRequest(t.id, { status: 'AWAITING_APPROVAL', seconds: 20 });
    expect(view.status).toBe('APPROVED');
    expect(t.slept).toEqual([100, 200, 400, 800, 1000, 1000]);
    // The first read, then one after each pause; every one the store's (consistent) get.
    expect(t.reads).toHaveBeenCalledTimes(7);
  });

  it('answers at once, with one read, when the status is not the one waited on', async () => {
    const t = await setup();
    const view = await t.broker.getRequest(t.id, { status: 'VERIFYING', seconds: 20 });
    expect(view.status).toBe('AWAITING_APPROVAL');
    expect(t.slept).toEqual([]);
    expect(t.reads).toHaveBeenCalledTimes(1);
  });

  it('after the wait answers with what it read last, at the deadline', async () => {
    const t = await setup();
    const view = await t.broker.getRequest(t.id, { status: 'AWAITING_APPROVAL', seconds: 3 });
    expect(view.status).toBe('AWAITING_APPROVAL');
    // 0.1 + 0.2 + 0.4 + 0.8 + 1 = 2.5 s, then the last 0.5 s: the final read is at the deadline exactly.
    expect(t.slept).toEqual([100, 200, 400, 800, 1000, 500]);
    expect(t.slept.reduce((a, b) => a + b, 0)).toBe(3000);
    expect(t.reads).toHaveBeenCalledTimes(7);
  });

  it('waits no longer than STS_MAX_WAIT_SECONDS, and not at all with 0', async () => {
    const capped = await setup(2);
    expect(capped.broker.maxWaitSeconds).toBe(2);
    await capped.broker.getRequest(capped.id, { status: 'AWAITING_APPROVAL', seconds: 20 });
    expect(capped.slept.reduce((a, b) => a + b, 0)).toBe(2000);

    const off = await setup(0);
    expect(off.broker.maxWaitSeconds).toBe(0);
    await off.broker.getRequest(off.id, { status: 'AWAITING_APPROVAL', seconds: 20 });
    expect(off.slept).toEqual([]);
    expect(off.reads).toHaveBeenCalledTimes(1);
  });

  it('stops when the signal aborts', async () => {
    const client = new AbortController();
    const t = await setup(20, (slept) => {
      if (slept.length === 2) client.abort();
    });
    const view = await t.broker.getRequest(t.id, { status: 'AWAITING_APPROVAL', seconds: 20, signal: client.signal });
    expect(view.status).toBe('AWAITING_APPROVAL');
    expect(t.slept).toEqual([100, 200]);
    expect(t.reads).toHaveBeenCalledTimes(2);
  });

  it('a request that disappears mid-wait (TTL) answers not_found', async () => {
    const t = await setup(20, (slept) => {
      if (slept.length === 1) t.ports.requests.records.delete(t.id);
    });
    await expect(t.broker.getRequest(t.id, { status: 'AWAITING_APPROVAL', seconds: 20 })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
