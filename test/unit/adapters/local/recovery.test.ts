import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRequestStore } from '../../../../lambdas/adapters/aws/dynamo-request-store.js';
import { ensureTables } from '../../../../lambdas/adapters/aws/tables.js';
import { type DynaliteHandle, startDynalite } from '../../../../lambdas/adapters/local/dynalite.js';
import { localDynamoClient } from '../../../../lambdas/adapters/local/local-dynamo.js';
import { closeAsRestarted, recoverInterruptedRequests } from '../../../../lambdas/adapters/local/recovery.js';
import { newRequestId } from '../../../../lambdas/core/ids.js';
import type { RequestRecord, RequestStatus } from '../../../../lambdas/core/types.js';
import { ManualClock, MemoryAudit } from '../../../support/memory.js';

const tables = { authTableName: 'stsftw-auth', requestsTableName: 'stsftw-requests' };
let dir: string;
let dynalite: DynaliteHandle;
let dynamodb: DynamoDBClient;
let requests: DynamoRequestStore;
const clock = new ManualClock('2030-01-01T00:00:00.000Z');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stsftw-recovery-'));
  dynalite = await startDynalite({ socketPath: join(dir, 'dynamodb.sock') });
  dynamodb = localDynamoClient({ dynamodbSocket: dynalite.socketPath, region: 'local' });
  await ensureTables(dynamodb, tables, { pollIntervalMs: 0 });
  requests = new DynamoRequestStore(dynamodb, tables.requestsTableName);
});
afterAll(async () => {
  dynamodb.destroy();
  await dynalite.close();
  await rm(dir, { recursive: true, force: true });
});

function record(status: RequestStatus): RequestRecord {
  return {
    id: newRequestId(),
    status,
    issuer: 'acme',
    accountName: 'alice',
    role: 'Admin',
    durationSeconds: 900,
    publicKey: 'A'.repeat(43),
    taskToken: status === 'AWAITING_APPROVAL' ? 'token-123' : undefined,
    createdAt: clock.now().toISOString(),
    decisionDeadline: '2030-01-01T00:15:00.000Z',
    expiresAt: Date.parse('2030-01-02T00:00:00.000Z') / 1000,
  };
}

describe('recoverInterruptedRequests', () => {
  it('fails every in-flight request with broker_restarted, audits it, and leaves finished ones alone', async () => {
    const all = (
      ['VERIFYING', 'AWAITING_APPROVAL', 'APPROVED', 'MINTED', 'DENIED', 'EXPIRED', 'REJECTED', 'FAILED'] as const
    ).map(record);
    for (const r of all) await requests.create(r);
    const audit = new MemoryAudit();

    const failed = await recoverInterruptedRequests({
      dynamodb,
      requestsTableName: tables.requestsTableName,
      requests,
      audit,
      clock,
    });

    expect(failed.sort()).toEqual(
      all
        .slice(0, 3)
        .map((r) => r.id)
        .sort(),
    );
    for (const r of all) {
      const now = await requests.get(r.id, clock.now());
      if (failed.includes(r.id)) {
        expect(now).toMatchObject({ status: 'FAILED', error: { code: 'broker_restarted' } });
        expect(now?.taskToken).toBeUndefined();
      } else {
        expect(now?.status).toBe(r.status);
      }
    }
    expect(audit.events).toHaveLength(3);
    expect(audit.events[0]).toMatchObject({
      type: 'request.failed',
      issuer: 'acme',
      accountName: 'alice',
      role: 'Admin',
      error: { code: 'broker_restarted' },
      at: '2030-01-01T00:00:00.000Z',
    });

    // A second start-up finds nothing left to do.
    expect(
      await recoverInterruptedRequests({
        dynamodb,
        requestsTableName: tables.requestsTableName,
        requests,
        audit,
        clock,
      }),
    ).toEqual([]);
  });
});

describe('closeAsRestarted', () => {
  it('fails an unfinished request with broker_restarted and leaves finished ones alone', async () => {
    const open = record('AWAITING_APPROVAL');
    const done = record('MINTED');
    await requests.create(open);
    await requests.create(done);
    const event = await closeAsRestarted(requests, open.id, clock.now());
    const closed = await requests.get(open.id, clock.now());
    expect(closed).toMatchObject({ status: 'FAILED', error: { code: 'broker_restarted' } });
    expect(closed?.taskToken).toBeUndefined();
    expect(event).toMatchObject({ type: 'request.failed', requestId: open.id, error: { code: 'broker_restarted' } });
    await expect(closeAsRestarted(requests, done.id, clock.now())).resolves.toBeUndefined();
    expect((await requests.get(done.id, clock.now()))?.status).toBe('MINTED');
  });
});
