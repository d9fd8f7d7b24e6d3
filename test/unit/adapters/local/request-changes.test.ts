/**
 * The embedded broker's long-poll waiters (`RequestChanges`) and the DynamoDB client hook that wakes them
 * (`watchRequestWrites`, over a real dynalite: the request store's writes and the state machine's plain
 * `UpdateItem` alike). Nothing is timed: deadlines are short and only bound the test.
 */
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRequestStore } from '../../../../lambdas/adapters/aws/dynamo-request-store.js';
import { ensureTables } from '../../../../lambdas/adapters/aws/tables.js';
import { RequestChanges, watchRequestWrites } from '../../../../lambdas/adapters/local/request-changes.js';
import { ConflictError } from '../../../../lambdas/core/errors.js';
import { sampleRequest } from '../../../support/memory.js';
import { startTcpDynalite, type TcpDynalite } from '../../../support/tcp-dynalite.js';

const soon = () => new Date(Date.now() + 10_000);

describe('RequestChanges', () => {
  it('wakes a waiter on a write of its request, not of another one', async () => {
    const changes = new RequestChanges();
    const watch = changes.watch('r_a', soon());
    const next = watch.next();
    changes.changed('r_b');
    changes.changed('r_a');
    expect(await next).toBe(true);
    watch.close();
    expect(changes.waiting()).toBe(0);
  });

  it('remembers a write that came while the waiter was reading', async () => {
    const changes = new RequestChanges();
    const watch = changes.watch('r_a', soon());
    changes.changed('r_a');
    expect(await watch.next()).toBe(true);
    watch.close();
  });

  it('says false once the deadline has passed', async () => {
    const changes = new RequestChanges();
    const watch = changes.watch('r_a', new Date(Date.now() + 20));
    expect(await watch.next()).toBe(false);
    expect(await watch.next()).toBe(false);
    watch.close();
  });

  it('says false at once when the signal aborts, and closing frees the waiter', async () => {
    const changes = new RequestChanges();
    const client = new AbortController();
    const first = changes.watch('r_a', soon(), client.signal);
    const second = changes.watch('r_a', soon());
    expect(changes.waiting()).toBe(2);
    const next = first.next();
    client.abort();
    expect(await next).toBe(false);
    first.close();
    first.close();
    expect(changes.waiting()).toBe(1);
    second.close();
    expect(changes.waiting()).toBe(0);
  });

  it('ends a pending next() when the watch is closed', async () => {
    const changes = new RequestChanges();
    const watch = changes.watch('r_a', soon());
    const next = watch.next();
    watch.close();
    expect(await next).toBe(false);
  });
});

describe('watchRequestWrites', () => {
  let db: TcpDynalite;
  let written: string[];
  const tables = { authTableName: 'auth', requestsTableName: 'requests' };

  beforeAll(async () => {
    db = await startTcpDynalite();
    await ensureTables(db.client, tables, { pollIntervalMs: 10 });
    written = [];
    watchRequestWrites(db.client, tables.requestsTableName, (id) => written.push(id));
  });
  afterAll(async () => {
    await db.close();
  });

  const record = () => sampleRequest('VERIFYING');

  it("reports the store's writes and a plain UpdateItem (the state machine's)", async () => {
    written.length = 0;
    const store = new DynamoRequestStore(db.client, tables.requestsTableName);
    const r = record();
    await store.create(r);
    await store.transition(r.id, ['VERIFYING'], 'AWAITING_APPROVAL');
    await store.addApproval(r.id, ['AWAITING_APPROVAL'], { accountName: 'bob', approvedAt: 'x' }, 0, 'APPROVED');
    await db.client.send(
      new UpdateItemCommand({
        TableName: tables.requestsTableName,
        Key: { id: { S: r.id } },
        UpdateExpression: 'SET #status = :minted',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':minted': { S: 'MINTED' } },
      }),
    );
    expect(written).toEqual([r.id, r.id, r.id, r.id]);
  });

  it('reports nothing for reads, failed conditional writes and other tables', async () => {
    const store = new DynamoRequestStore(db.client, tables.requestsTableName);
    const r = record();
    await store.create(r);
    written.length = 0;
    await store.get(r.id, new Date('2030-01-01T00:00:00.000Z'));
    await db.client.send(new GetItemCommand({ TableName: tables.requestsTableName, Key: { id: { S: r.id } } }));
    await expect(store.transition(r.id, ['APPROVED'], 'MINTED')).rejects.toBeInstanceOf(ConflictError);
    await db.client.send(
      new UpdateItemCommand({
        TableName: tables.authTableName,
        Key: { issuer: { S: 'acme' }, account_name: { S: 'alice' } },
        UpdateExpression: 'SET failed_attempts = :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );
    expect(written).toEqual([]);
  });

  it('refuses a client that already sent a write, whose cached command would bypass the hook', async () => {
    const other = await startTcpDynalite();
    try {
      await ensureTables(other.client, tables, { pollIntervalMs: 10 });
      // Table set-up alone is fine: no write command has been resolved yet.
      watchRequestWrites(other.client, tables.requestsTableName, () => {});
      await new DynamoRequestStore(other.client, tables.requestsTableName).create(record());
      expect(() => watchRequestWrites(other.client, tables.requestsTableName, () => {})).toThrow(
        /before the DynamoDB client sends its first write/,
      );
    } finally {
      await other.close();
    }
  });
});
