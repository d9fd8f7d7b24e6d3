/**
 * The store contract (test/support/port-contracts.ts) against the in-memory fakes and the DynamoDB adapters,
 * over TCP (as on AWS, through HTTP) and over the embedded broker's in-process transport.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { DynamoAuthStore } from '../../lambdas/adapters/aws/dynamo-auth-store.js';
import { DynamoRequestStore } from '../../lambdas/adapters/aws/dynamo-request-store.js';
import { ensureTables } from '../../lambdas/adapters/aws/tables.js';
import { type DynaliteHandle, startDynalite } from '../../lambdas/adapters/local/dynalite.js';
import { MemoryAuthStore, MemoryRequestStore } from '../support/memory.js';
import { authStoreContract, now, requestStoreContract } from '../support/port-contracts.js';
import { startTcpDynalite, type TcpDynalite } from '../support/tcp-dynalite.js';

const clock = { now: () => now };
const names = { authTableName: 'stsftw-auth', requestsTableName: 'stsftw-requests' };
let db: Promise<TcpDynalite> | undefined;

/** One dynalite for both adapter suites, with its tables. */
function dynalite(): Promise<TcpDynalite> {
  db ??= startTcpDynalite().then(async (started) => {
    await ensureTables(started.client, names, { pollIntervalMs: 10 });
    return started;
  });
  return db;
}

/** dynalite in its thread, reached by message without a socket round trip (what the embedded broker does). */
let inProcess: Promise<{ handle: DynaliteHandle; client: DynamoDBClient; dir: string }> | undefined;
function inProcessDynalite(): Promise<DynamoDBClient> {
  inProcess ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stsftw-inproc-'));
    const handle = await startDynalite({ socketPath: join(dir, 'd.sock') });
    const client = handle.client('us-east-1');
    await ensureTables(client, names, { pollIntervalMs: 10 });
    return { handle, client, dir };
  })();
  return inProcess.then((started) => started.client);
}

afterAll(async () => {
  await (await db)?.close();
  const started = await inProcess;
  if (started) {
    started.client.destroy();
    await started.handle.close();
    await rm(started.dir, { recursive: true, force: true });
  }
});

authStoreContract('in-memory fake', async () => new MemoryAuthStore(clock));
authStoreContract(
  'DynamoDB adapter on dynalite',
  async () => new DynamoAuthStore((await dynalite()).client, names.authTableName, clock),
);
requestStoreContract('in-memory fake', async () => new MemoryRequestStore());
requestStoreContract(
  'DynamoDB adapter on dynalite',
  async () => new DynamoRequestStore((await dynalite()).client, names.requestsTableName),
);
authStoreContract(
  'DynamoDB adapter on in-process dynalite',
  async () => new DynamoAuthStore(await inProcessDynalite(), names.authTableName, clock),
);
requestStoreContract(
  'DynamoDB adapter on in-process dynalite',
  async () => new DynamoRequestStore(await inProcessDynalite(), names.requestsTableName),
);
