import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { authEntryFromItem, authEntryToItem } from '../../../../lambdas/adapters/aws/auth-item.js';
import { DynamoAuthStore } from '../../../../lambdas/adapters/aws/dynamo-auth-store.js';
import { ConflictError } from '../../../../lambdas/core/errors.js';
import type { AuthEntry } from '../../../../lambdas/core/types.js';
import { attributes, plainInputs } from '../../../support/dynamo-mock.js';

const client = new DynamoDBClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const ddb = mockClient(client);
const clock = { now: () => new Date('2025-01-02T03:04:05.000Z') };
const store = new DynamoAuthStore(client, 'auth-table', clock);
const key = { issuer: 'acme', account_name: 'alice' };
const now = new Date('2025-06-01T00:00:00.000Z');
const conditionFailed = () =>
  new ConditionalCheckFailedException({ $metadata: {}, message: 'The conditional request failed' });

const entry: AuthEntry = {
  issuer: 'acme',
  accountName: 'alice',
  roles: ['admin', 'arn:aws:iam::123456789012:role/readonly'],
  secondaryAuthorization: ['bob'],
  totpSecret: 'Y2lwaGVydGV4dA==',
  lastStep: 58_000_000,
  failedAttempts: 2,
  lockedUntil: '2025-01-01T00:15:00.000Z',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:10:00.000Z',
};
const item = {
  issuer: 'acme',
  account_name: 'alice',
  roles: ['admin', 'arn:aws:iam::123456789012:role/readonly'],
  secondary_authorization: ['bob'],
  totp_secret: 'Y2lwaGVydGV4dA==',
  last_step: 58_000_000,
  failed_attempts: 2,
  locked_until: '2025-01-01T00:15:00.000Z',
  created_at: '2025-01-01T00:00:00.000Z',
  updated_at: '2025-01-01T00:10:00.000Z',
};

/** Every input the mock received for `command`, for assertions that must also rule out extra parameters. */
function inputsOf(command: Parameters<typeof ddb.commandCalls>[0]) {
  return plainInputs(ddb, command);
}

afterEach(() => {
  ddb.reset();
});

describe('auth item mapping', () => {
  it('writes snake_case attributes and reads them back', () => {
    expect(authEntryToItem(entry)).toStrictEqual(item);
    expect(authEntryFromItem(item)).toStrictEqual(entry);
  });

  it('leaves unset optional fields out of the entry', () => {
    const minimal = {
      issuer: 'acme',
      account_name: 'bob',
      roles: [],
      secondary_authorization: [],
      created_at: 'c',
      updated_at: 'u',
    };
    expect(authEntryFromItem(minimal)).toStrictEqual({
      issuer: 'acme',
      accountName: 'bob',
      roles: [],
      secondaryAuthorization: [],
      createdAt: 'c',
      updatedAt: 'u',
    });
  });

  it('reads STSFTW 1.0 string sets and missing lists', () => {
    const legacy = authEntryFromItem({ issuer: 'acme', account_name: 'carol', roles: new Set(['admin', 'dev']) });
    expect(legacy.roles).toEqual(['admin', 'dev']);
    expect(legacy.secondaryAuthorization).toEqual([]);
    expect(legacy.createdAt).toBe('');
  });
});

describe('DynamoAuthStore', () => {
  it('gets an entry with a consistent read', async () => {
    ddb.on(GetItemCommand).resolves({ Item: attributes(item) });
    await expect(store.get('acme', 'alice')).resolves.toStrictEqual(entry);
    expect(inputsOf(GetItemCommand)).toStrictEqual([
      {
        TableName: 'auth-table',
        Key: key,
        ConsistentRead: true,
      },
    ]);
  });

  it('returns undefined for a missing entry', async () => {
    ddb.on(GetItemCommand).resolves({});
    await expect(store.get('acme', 'nobody')).resolves.toBeUndefined();
  });

  it('lists an issuer with a paginated Query, never a Scan', async () => {
    const next = { issuer: 'acme', account_name: 'alice' };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [attributes(item)], LastEvaluatedKey: attributes(next) })
      .resolvesOnce({ Items: [attributes({ ...item, account_name: 'bob', roles: new Set(['dev']) })] });
    const entries = await store.list('acme');
    expect(entries.map((e) => [e.accountName, e.roles])).toEqual([
      ['alice', entry.roles],
      ['bob', ['dev']],
    ]);
    const query = {
      TableName: 'auth-table',
      KeyConditionExpression: 'issuer = :issuer',
      ExpressionAttributeValues: { ':issuer': 'acme' },
      ConsistentRead: true,
    };
    expect(inputsOf(QueryCommand)).toStrictEqual([query, { ...query, ExclusiveStartKey: next }]);
  });

  it('puts a new entry only if absent', async () => {
    ddb.on(PutItemCommand).resolves({});
    await store.put(entry);
    expect(inputsOf(PutItemCommand)).toStrictEqual([
      { TableName: 'auth-table', Item: item, ConditionExpression: 'attribute_not_exists(issuer)' },
    ]);
  });

  it('overwrites without a condition when asked', async () => {
    ddb.on(PutItemCommand).resolves({});
    await store.put(entry, { overwrite: true });
    expect(inputsOf(PutItemCommand)).toStrictEqual([{ TableName: 'auth-table', Item: item }]);
  });

  it('updates the given fields and updated_at on an existing entry', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await store.update('acme', 'alice', { roles: ['dev'], secondaryAuthorization: [], totpSecret: 'bmV3' });
    expect(inputsOf(UpdateItemCommand)).toStrictEqual([
      {
        TableName: 'auth-table',
        Key: key,
        UpdateExpression:
          'SET updated_at = :now, #roles = :roles, #secondary_authorization = :secondary_authorization, #totp_secret = :totp_secret',
        ConditionExpression: 'attribute_exists(issuer)',
        ExpressionAttributeNames: {
          '#roles': 'roles',
          '#secondary_authorization': 'secondary_authorization',
          '#totp_secret': 'totp_secret',
        },
        ExpressionAttributeValues: {
          ':now': '2025-01-02T03:04:05.000Z',
          ':roles': ['dev'],
          ':secondary_authorization': [],
          ':totp_secret': 'bmV3',
        },
      },
    ]);
  });

  it('resets the lockout counters but keeps last_step', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await store.update('acme', 'alice', { resetCounters: true });
    expect(inputsOf(UpdateItemCommand)).toStrictEqual([
      {
        TableName: 'auth-table',
        Key: key,
        UpdateExpression: 'SET updated_at = :now, #failed_attempts = :failed_attempts REMOVE locked_until',
        ConditionExpression: 'attribute_exists(issuer)',
        ExpressionAttributeNames: { '#failed_attempts': 'failed_attempts' },
        ExpressionAttributeValues: { ':now': '2025-01-02T03:04:05.000Z', ':failed_attempts': 0 },
      },
    ]);
  });

  it('removes an existing entry', async () => {
    ddb.on(DeleteItemCommand).resolves({});
    await store.remove('acme', 'alice');
    expect(inputsOf(DeleteItemCommand)).toStrictEqual([
      {
        TableName: 'auth-table',
        Key: key,
        ConditionExpression: 'attribute_exists(issuer)',
      },
    ]);
  });

  it('consumes a fresh time step once, resetting the counters', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await expect(store.consumeStep('acme', 'alice', 58_000_001, now)).resolves.toBe(true);
    expect(inputsOf(UpdateItemCommand)).toStrictEqual([
      {
        TableName: 'auth-table',
        Key: key,
        UpdateExpression: 'SET last_step = :step, failed_attempts = :zero, updated_at = :now REMOVE locked_until',
        ConditionExpression: 'attribute_exists(issuer) AND (attribute_not_exists(last_step) OR last_step < :step)',
        ExpressionAttributeValues: { ':step': 58_000_001, ':zero': 0, ':now': now.toISOString() },
      },
    ]);
  });

  it('refuses a time step that was already used', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(store.consumeStep('acme', 'alice', 58_000_000, now)).resolves.toBe(false);
  });

  it('claims an attempt atomically, only while unlocked and under the limit, and returns the count', async () => {
    ddb
      .on(UpdateItemCommand)
      .resolves({ Attributes: attributes({ failed_attempts: 3, updated_at: now.toISOString() }) });
    const stale = new Date(now.getTime() - 900_000);
    await expect(store.claimAttempt('acme', 'alice', 5, now, stale)).resolves.toBe(3);
    expect(inputsOf(UpdateItemCommand)).toStrictEqual([
      {
        TableName: 'auth-table',
        Key: key,
        UpdateExpression: 'SET updated_at = :now ADD failed_attempts :one',
        ConditionExpression:
          'attribute_exists(issuer) AND (attribute_not_exists(locked_until) OR locked_until <= :now) AND ' +
          '(attribute_not_exists(failed_attempts) OR failed_attempts < :max OR ' +
          'attribute_not_exists(updated_at) OR updated_at < :stale)',
        ExpressionAttributeValues: { ':one': 1, ':max': 5, ':now': now.toISOString(), ':stale': stale.toISOString() },
        ReturnValues: 'UPDATED_NEW',
      },
    ]);
  });

  it('answers a refused claim with undefined and fails loudly when the count is not returned', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(store.claimAttempt('acme', 'alice', 5, now, now)).resolves.toBeUndefined();
    ddb.on(UpdateItemCommand).resolves({});
    await expect(store.claimAttempt('acme', 'alice', 5, now, now)).rejects.toMatchObject({ code: 'internal' });
  });

  it('releases a claim without going below zero', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(store.releaseAttempt('acme', 'alice', now)).resolves.toBeUndefined();
    expect(inputsOf(UpdateItemCommand)).toContainEqual(
      expect.objectContaining({
        UpdateExpression: 'SET updated_at = :now ADD failed_attempts :minus',
        ConditionExpression: 'failed_attempts > :zero',
      }),
    );
  });

  it('locks once: only at the limit and when no lock is active, resetting the counter', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    const until = new Date('2025-06-01T00:15:00.000Z');
    await expect(store.lock('acme', 'alice', until, now, 5)).resolves.toBe(true);
    expect(inputsOf(UpdateItemCommand)).toStrictEqual([
      {
        TableName: 'auth-table',
        Key: key,
        UpdateExpression: 'SET locked_until = :until, failed_attempts = :zero, updated_at = :now',
        ConditionExpression: 'failed_attempts >= :max AND (attribute_not_exists(locked_until) OR locked_until <= :now)',
        ExpressionAttributeValues: { ':until': until.toISOString(), ':zero': 0, ':max': 5, ':now': now.toISOString() },
      },
    ]);
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(store.lock('acme', 'alice', until, now, 5)).resolves.toBe(false);
  });

  it.each([
    ['put', () => store.put(entry), PutItemCommand],
    ['update', () => store.update('acme', 'alice', { roles: ['dev'] }), UpdateItemCommand],
    ['remove', () => store.remove('acme', 'alice'), DeleteItemCommand],
  ] as const)('%s maps ConditionalCheckFailedException to ConflictError', async (_name, call, command) => {
    ddb.on(command as typeof PutItemCommand).rejects(conditionFailed());
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'conflict' });
    expect((error as Error).message).not.toContain('alice');
  });

  it.each([
    ['get', () => store.get('acme', 'alice'), GetItemCommand],
    ['consumeStep', () => store.consumeStep('acme', 'alice', 1, now), UpdateItemCommand],
    ['put', () => store.put(entry), PutItemCommand],
  ] as const)('%s lets other DynamoDB errors through', async (_name, call, command) => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
    ddb.on(command as typeof GetItemCommand).rejects(throttled);
    await expect(call()).rejects.toBe(throttled);
  });
});
