/** The store contract (test/support/port-contracts.ts) against the in-memory fakes and the DynamoDB adapters. */
import { afterAll } from 'vitest';
import { DynamoAuthStore } from '../../lambdas/adapters/aws/dynamo-auth-store.js';
import { DynamoRequestStore } from '../../lambdas/adapters/aws/dynamo-request-store.js';
import { ensureTables } from '../../lambdas/adapters/aws/tables.js';
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

afterAll(async () => {
  await (await db)?.close();
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
