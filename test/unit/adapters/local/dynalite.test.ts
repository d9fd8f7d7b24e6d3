import { spawnSync } from 'node:child_process';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureTable } from '../../../../lambdas/adapters/aws/tables.js';
import { startDynalite } from '../../../../lambdas/adapters/local/dynalite.js';
import { localDynamoClient } from '../../../../lambdas/adapters/local/local-dynamo.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stsftw-dynalite-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const client = (socketPath: string) => localDynamoClient({ dynamodbSocket: socketPath, region: 'local' });

// Waits until ACTIVE: dynalite turns a table ACTIVE on a timer after answering, even with createTableMs 0.
const createThings = (db: DynamoDBClient) => ensureTable(db, 'things', { partitionKey: 'id' }, { pollIntervalMs: 10 });

describe('startDynalite', () => {
  it('serves DynamoDB on a 0600 Unix socket and keeps data across restarts', async () => {
    const path = join(dir, 'dynamodb');
    const socketPath = join(dir, 'dynamodb.sock');
    const first = await startDynalite({ path, socketPath });
    expect(first.socketPath).toBe(socketPath);
    const socket = await lstat(socketPath);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);

    const db1 = client(socketPath);
    await createThings(db1);
    await db1.send(new PutItemCommand({ TableName: 'things', Item: { id: { S: 'a' }, v: { S: 'kept' } } }));
    db1.destroy();
    await first.close();
    await expect(lstat(socketPath)).rejects.toMatchObject({ code: 'ENOENT' });

    const second = await startDynalite({ path, socketPath });
    const db2 = client(socketPath);
    const { Item } = await db2.send(new GetItemCommand({ TableName: 'things', Key: { id: { S: 'a' } } }));
    expect(Item?.v).toEqual({ S: 'kept' });
    db2.destroy();
    await second.close();
  });

  it('replaces the socket file a killed broker left behind', async () => {
    const socketPath = join(dir, 'dynamodb.sock');
    // A process that dies listening leaves its socket file: nothing answers on it any more.
    const script = `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`;
    spawnSync(process.execPath, ['-e', script]);
    expect((await lstat(socketPath)).isSocket()).toBe(true);

    const dynalite = await startDynalite({ socketPath });
    const db = client(socketPath);
    await createThings(db);
    db.destroy();
    await dynalite.close();
  });

  it('refuses a socket another process still serves', async () => {
    const socketPath = join(dir, 'dynamodb.sock');
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(socketPath, resolve));
    try {
      await expect(startDynalite({ socketPath })).rejects.toThrow(
        `${socketPath} is in use by another process — is another broker running on this data dir? Stop it, or pick another --data-dir`,
      );
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

describe('startDynalite: its thread', () => {
  it('serves the in-process client and the socket from the same store', async () => {
    const socketPath = join(dir, 'dynamodb.sock');
    const dynalite = await startDynalite({ socketPath });
    const own = dynalite.client('local');
    await createThings(own);
    await own.send(new PutItemCommand({ TableName: 'things', Item: { id: { S: 'a' }, v: { S: 'by message' } } }));
    const other = client(socketPath);
    const { Item } = await other.send(new GetItemCommand({ TableName: 'things', Key: { id: { S: 'a' } } }));
    expect(Item?.v).toEqual({ S: 'by message' });
    other.destroy();
    await dynalite.close();
    // After close the thread is gone: a request fails at once with a sentence instead of waiting forever.
    await expect(own.send(new GetItemCommand({ TableName: 'things', Key: { id: { S: 'a' } } }))).rejects.toThrow(
      /the embedded database's thread stopped/,
    );
    own.destroy();
  });

  it('reports, with its code, a socket it cannot listen on', async () => {
    const socketPath = join(dir, 'missing', 'dynamodb.sock');
    const refusal = startDynalite({ socketPath });
    await expect(refusal).rejects.toThrow(`listen`);
    await expect(refusal).rejects.toMatchObject({ code: expect.stringMatching(/^E[A-Z]+$/) });
  });
});
