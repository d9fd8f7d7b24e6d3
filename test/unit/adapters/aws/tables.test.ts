import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  authTableKeys,
  ensureTables,
  keySchemaOf,
  requestsTableKeys,
} from '../../../../lambdas/adapters/aws/tables.js';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'local', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const names = { authTableName: 'auth', requestsTableName: 'requests' };
const fast = { pollIntervalMs: 0 };
const notFound = () => new ResourceNotFoundException({ $metadata: {}, message: 'Requested resource not found' });
const table = (keys: typeof authTableKeys, TableStatus: 'ACTIVE' | 'CREATING') => ({
  Table: { TableStatus, KeySchema: keySchemaOf(keys).KeySchema },
});

afterEach(() => {
  ddb.reset();
});

describe('key schemas', () => {
  it('keys the auth table on issuer and account_name', () => {
    expect(keySchemaOf(authTableKeys)).toStrictEqual({
      KeySchema: [
        { AttributeName: 'issuer', KeyType: 'HASH' },
        { AttributeName: 'account_name', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'issuer', AttributeType: 'S' },
        { AttributeName: 'account_name', AttributeType: 'S' },
      ],
    });
  });

  it('keys the requests table on id', () => {
    expect(keySchemaOf(requestsTableKeys)).toStrictEqual({
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    });
  });
});

describe('ensureTables', () => {
  it('creates missing tables on demand and waits until they are ACTIVE', async () => {
    ddb
      .on(DescribeTableCommand, { TableName: 'auth' })
      .rejectsOnce(notFound())
      .resolvesOnce(table(authTableKeys, 'CREATING'))
      .resolves(table(authTableKeys, 'ACTIVE'));
    ddb
      .on(DescribeTableCommand, { TableName: 'requests' })
      .rejectsOnce(notFound())
      .resolves(table(requestsTableKeys, 'ACTIVE'));
    ddb
      .on(CreateTableCommand, { TableName: 'auth' })
      .resolves({ TableDescription: table(authTableKeys, 'CREATING').Table });
    ddb
      .on(CreateTableCommand, { TableName: 'requests' })
      .resolves({ TableDescription: table(requestsTableKeys, 'CREATING').Table });

    await ensureTables(client, names, fast);

    expect(ddb).toReceiveCommandWith(CreateTableCommand, {
      TableName: 'auth',
      BillingMode: 'PAY_PER_REQUEST',
      ...keySchemaOf(authTableKeys),
    });
    expect(ddb).toReceiveCommandWith(CreateTableCommand, {
      TableName: 'requests',
      BillingMode: 'PAY_PER_REQUEST',
      ...keySchemaOf(requestsTableKeys),
    });
    expect(ddb).toReceiveCommandTimes(CreateTableCommand, 2);
    // auth: not found, CREATING, ACTIVE; requests: not found, ACTIVE.
    expect(ddb).toReceiveCommandTimes(DescribeTableCommand, 5);
  });

  it('leaves existing active tables alone', async () => {
    ddb.on(DescribeTableCommand, { TableName: 'auth' }).resolves(table(authTableKeys, 'ACTIVE'));
    ddb.on(DescribeTableCommand, { TableName: 'requests' }).resolves(table(requestsTableKeys, 'ACTIVE'));
    await ensureTables(client, names, fast);
    expect(ddb).not.toReceiveCommand(CreateTableCommand);
  });

  it('waits for a table another process is creating', async () => {
    ddb
      .on(DescribeTableCommand, { TableName: 'auth' })
      .rejectsOnce(notFound())
      .resolves(table(authTableKeys, 'ACTIVE'));
    ddb.on(DescribeTableCommand, { TableName: 'requests' }).resolves(table(requestsTableKeys, 'ACTIVE'));
    ddb.on(CreateTableCommand).rejects(new ResourceInUseException({ $metadata: {}, message: 'Table already exists' }));
    await expect(ensureTables(client, names, fast)).resolves.toBeUndefined();
  });

  it('refuses an existing table with a different key schema', async () => {
    ddb.on(DescribeTableCommand, { TableName: 'auth' }).resolves(table(requestsTableKeys, 'ACTIVE'));
    ddb.on(DescribeTableCommand, { TableName: 'requests' }).resolves(table(requestsTableKeys, 'ACTIVE'));
    await expect(ensureTables(client, names, fast)).rejects.toThrow('Table auth exists with a different key schema.');
  });

  it('gives up on a table that never becomes ACTIVE', async () => {
    ddb.on(DescribeTableCommand, { TableName: 'auth' }).resolves(table(authTableKeys, 'CREATING'));
    ddb.on(DescribeTableCommand, { TableName: 'requests' }).resolves(table(requestsTableKeys, 'ACTIVE'));
    await expect(ensureTables(client, names, { pollIntervalMs: 0, maxAttempts: 3 })).rejects.toThrow(
      'Table auth did not become ACTIVE.',
    );
    expect(ddb.commandCalls(DescribeTableCommand, { TableName: 'auth' })).toHaveLength(4);
  });

  it('lets other DynamoDB errors through', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    ddb.on(DescribeTableCommand).rejects(denied);
    await expect(ensureTables(client, names, fast)).rejects.toBe(denied);
  });
});
