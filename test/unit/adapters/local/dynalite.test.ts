import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDynalite } from '../../../../lambdas/adapters/local/dynalite.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stsftw-dynalite-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function client(endpoint: string) {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

describe('startDynalite', () => {
  it('serves DynamoDB on loopback and keeps data across restarts', async () => {
    const path = join(dir, 'dynamodb');
    const first = await startDynalite({ path });
    expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const db1 = client(first.endpoint);
    await db1.send(
      new CreateTableCommand({
        TableName: 'things',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await db1.send(new PutItemCommand({ TableName: 'things', Item: { id: { S: 'a' }, v: { S: 'kept' } } }));
    db1.destroy();
    await first.close();

    const second = await startDynalite({ path });
    const db2 = client(second.endpoint);
    const { Item } = await db2.send(new GetItemCommand({ TableName: 'things', Key: { id: { S: 'a' } } }));
    expect(Item?.v).toEqual({ S: 'kept' });
    db2.destroy();
    await second.close();
  });
});
