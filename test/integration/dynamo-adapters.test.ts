import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuthStore } from '../../lambdas/adapters/aws/dynamo-auth-store.js';
import { ensureTables } from '../../lambdas/adapters/aws/tables.js';
import { ConflictError } from '../../lambdas/core/errors.js';
import type { AuthEntry } from '../../lambdas/core/types.js';
import { startTcpDynalite, type TcpDynalite } from '../support/tcp-dynalite.js';

// The real conditional expressions against dynalite (the embedded broker's DynamoDB): what mocks cannot prove.
const names = { authTableName: 'stsftw-auth', requestsTableName: 'stsftw-requests' };
const now = new Date('2025-06-01T00:00:00.000Z');
const clock = { now: () => now };
let db: TcpDynalite;
let client: DynamoDBClient;
let auth: DynamoAuthStore;

beforeAll(async () => {
  db = await startTcpDynalite();
  client = db.client;
  await ensureTables(client, names, { pollIntervalMs: 10 });
  auth = new DynamoAuthStore(client, names.authTableName, clock);
});

afterAll(async () => {
  await db?.close();
});

function entry(accountName: string): AuthEntry {
  return {
    issuer: 'acme',
    accountName,
    roles: ['admin'],
    secondaryAuthorization: ['bob'],
    totpSecret: 'Y2lwaGVydGV4dA==',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

describe('ensureTables on dynalite', () => {
  it('is idempotent', async () => {
    await expect(ensureTables(client, names, { pollIntervalMs: 10 })).resolves.toBeUndefined();
  });
});

describe('DynamoAuthStore on dynalite', () => {
  it('enrolls once, stores lists as L, and reads back', async () => {
    await auth.put(entry('alice'));
    await expect(auth.put(entry('alice'))).rejects.toBeInstanceOf(ConflictError);
    await auth.put({ ...entry('alice'), roles: ['admin', 'dev'] }, { overwrite: true });
    await expect(auth.get('acme', 'alice')).resolves.toStrictEqual({ ...entry('alice'), roles: ['admin', 'dev'] });
    const raw = await client.send(
      new GetItemCommand({
        TableName: names.authTableName,
        Key: { issuer: { S: 'acme' }, account_name: { S: 'alice' } },
      }),
    );
    expect(raw.Item?.roles).toStrictEqual({ L: [{ S: 'admin' }, { S: 'dev' }] });
  });

  it('reads STSFTW 1.0 entries whose roles are a string set', async () => {
    await client.send(
      new PutItemCommand({
        TableName: names.authTableName,
        Item: { issuer: { S: 'legacy' }, account_name: { S: 'dave' }, roles: { SS: ['ops'] } },
      }),
    );
    await expect(auth.get('legacy', 'dave')).resolves.toMatchObject({ roles: ['ops'], secondaryAuthorization: [] });
  });
});
