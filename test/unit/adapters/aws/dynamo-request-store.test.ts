import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoRequestStore } from '../../../../lambdas/adapters/aws/dynamo-request-store.js';
import {
  requestChangesToAttributes,
  requestFromItem,
  requestToItem,
} from '../../../../lambdas/adapters/aws/request-item.js';
import { ConflictError } from '../../../../lambdas/core/errors.js';
import type { RequestRecord } from '../../../../lambdas/core/types.js';
import { attributes, plainInputs } from '../../../support/dynamo-mock.js';

const client = new DynamoDBClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const ddb = mockClient(client);
const store = new DynamoRequestStore(client, 'requests-table');
const id = 'r_0123456789abcdefghjkmnpqrs';
const expiresAt = 1_750_000_000;

const record: RequestRecord = {
  id,
  status: 'MINTED',
  issuer: 'acme',
  accountName: 'alice',
  role: 'admin',
  secondaryAccountName: 'bob',
  durationSeconds: 900,
  publicKey: 'cHVibGljLWtleQ',
  reason: 'deploy',
  taskToken: 'token-value',
  approvedBy: 'bob',
  deniedBy: 'carol',
  denialReason: 'no',
  sealedCredentials: { enc: 'ZW5j', ciphertext: 'Y2lwaGVy' },
  expiration: '2025-06-01T01:00:00.000Z',
  error: { code: 'internal', message: 'Internal error.' },
  createdAt: '2025-06-01T00:00:00.000Z',
  decisionDeadline: '2025-06-01T00:15:00.000Z',
  expiresAt,
};
const item = {
  id,
  status: 'MINTED',
  issuer: 'acme',
  account_name: 'alice',
  role: 'admin',
  secondary_account_name: 'bob',
  duration_seconds: 900,
  public_key: 'cHVibGljLWtleQ',
  reason: 'deploy',
  task_token: 'token-value',
  approved_by: 'bob',
  denied_by: 'carol',
  denial_reason: 'no',
  sealed_credentials: '{"enc":"ZW5j","ciphertext":"Y2lwaGVy"}',
  expiration: '2025-06-01T01:00:00.000Z',
  error_code: 'internal',
  error_message: 'Internal error.',
  created_at: '2025-06-01T00:00:00.000Z',
  decision_deadline: '2025-06-01T00:15:00.000Z',
  expires_at: expiresAt,
};
const verifying: RequestRecord = {
  id,
  status: 'VERIFYING',
  issuer: 'acme',
  accountName: 'alice',
  role: 'admin',
  durationSeconds: 3600,
  publicKey: 'cHVibGljLWtleQ',
  createdAt: '2025-06-01T00:00:00.000Z',
  decisionDeadline: '2025-06-01T00:15:00.000Z',
  expiresAt,
};
const verifyingItem = {
  id,
  status: 'VERIFYING',
  issuer: 'acme',
  account_name: 'alice',
  role: 'admin',
  duration_seconds: 3600,
  public_key: 'cHVibGljLWtleQ',
  created_at: '2025-06-01T00:00:00.000Z',
  decision_deadline: '2025-06-01T00:15:00.000Z',
  expires_at: expiresAt,
};
const conditionFailed = () =>
  new ConditionalCheckFailedException({ $metadata: {}, message: 'The conditional request failed' });

afterEach(() => {
  ddb.reset();
});

describe('request item mapping', () => {
  it('maps every field to its snake_case attribute and back', () => {
    expect(requestToItem(record)).toStrictEqual(item);
    expect(requestFromItem(item)).toStrictEqual(record);
  });

  it('leaves unset optional fields out in both directions', () => {
    expect(requestToItem(verifying)).toStrictEqual(verifyingItem);
    expect(requestFromItem(verifyingItem)).toStrictEqual(verifying);
  });

  it('splits changes into SET values and REMOVE names', () => {
    expect(
      requestChangesToAttributes({
        approvedBy: 'bob',
        taskToken: null,
        reason: undefined,
        sealedCredentials: { enc: 'e', ciphertext: 'c' },
        error: null,
      }),
    ).toStrictEqual({
      set: { approved_by: 'bob', sealed_credentials: '{"enc":"e","ciphertext":"c"}' },
      remove: ['task_token', 'error_code', 'error_message'],
    });
  });

  it('reads sealed credentials written by the state machine as a JSON string', () => {
    const sealed = requestFromItem({ ...verifyingItem, sealed_credentials: '{"ciphertext":"c","enc":"e"}' });
    expect(sealed.sealedCredentials).toStrictEqual({ enc: 'e', ciphertext: 'c' });
  });

  it.each([
    ['an unknown status', { ...verifyingItem, status: 'PENDING' }],
    ['sealed credentials that are not JSON', { ...verifyingItem, sealed_credentials: 'not json' }],
    ['sealed credentials without ciphertext', { ...verifyingItem, sealed_credentials: '{"enc":"e"}' }],
  ])('refuses an item with %s', (_what, bad) => {
    expect(() => requestFromItem(bad)).toThrow(expect.objectContaining({ code: 'internal' }));
  });
});

describe('DynamoRequestStore', () => {
  it('creates a request only if the id is free', async () => {
    ddb.on(PutItemCommand).resolves({});
    await store.create(verifying);
    expect(plainInputs(ddb, PutItemCommand)).toStrictEqual([
      { TableName: 'requests-table', Item: verifyingItem, ConditionExpression: 'attribute_not_exists(id)' },
    ]);
  });

  it('gets a request with a consistent read', async () => {
    ddb.on(GetItemCommand).resolves({ Item: attributes(item) });
    await expect(store.get(id, new Date((expiresAt - 1) * 1000))).resolves.toStrictEqual(record);
    expect(plainInputs(ddb, GetItemCommand)).toStrictEqual([
      {
        TableName: 'requests-table',
        Key: { id },
        ConsistentRead: true,
      },
    ]);
  });

  it('still returns a request at its expires_at second', async () => {
    ddb.on(GetItemCommand).resolves({ Item: attributes(item) });
    await expect(store.get(id, new Date(expiresAt * 1000))).resolves.toMatchObject({ id });
  });

  it('hides a request past expires_at that TTL has not deleted yet', async () => {
    ddb.on(GetItemCommand).resolves({ Item: attributes(item) });
    await expect(store.get(id, new Date(expiresAt * 1000 + 1))).resolves.toBeUndefined();
  });

  it('returns undefined for a missing request', async () => {
    ddb.on(GetItemCommand).resolves({});
    await expect(store.get(id, new Date(0))).resolves.toBeUndefined();
  });

  it('transitions with a status guard, SET for values and REMOVE for nulls', async () => {
    ddb
      .on(UpdateItemCommand)
      .resolves({ Attributes: attributes({ ...verifyingItem, status: 'APPROVED', approved_by: 'bob' }) });
    const updated = await store.transition(id, ['AWAITING_APPROVAL', 'VERIFYING'], 'APPROVED', {
      approvedBy: 'bob',
      taskToken: null,
    });
    expect(updated).toStrictEqual({ ...verifying, status: 'APPROVED', approvedBy: 'bob' });
    expect(plainInputs(ddb, UpdateItemCommand)).toStrictEqual([
      {
        TableName: 'requests-table',
        Key: { id },
        UpdateExpression: 'SET #status = :to, #approved_by = :approved_by REMOVE #task_token',
        ConditionExpression: '#status IN (:f0, :f1)',
        ExpressionAttributeNames: { '#status': 'status', '#approved_by': 'approved_by', '#task_token': 'task_token' },
        ExpressionAttributeValues: {
          ':to': 'APPROVED',
          ':approved_by': 'bob',
          ':f0': 'AWAITING_APPROVAL',
          ':f1': 'VERIFYING',
        },
        ReturnValues: 'ALL_NEW',
      },
    ]);
  });

  it('transitions with only a status change', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: attributes({ ...verifyingItem, status: 'EXPIRED' }) });
    await store.transition(id, ['VERIFYING'], 'EXPIRED');
    expect(plainInputs(ddb, UpdateItemCommand)).toStrictEqual([
      {
        TableName: 'requests-table',
        Key: { id },
        UpdateExpression: 'SET #status = :to',
        ConditionExpression: '#status IN (:f0)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':to': 'EXPIRED', ':f0': 'VERIFYING' },
        ReturnValues: 'ALL_NEW',
      },
    ]);
  });

  it('stores an error as error_code and error_message', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: attributes({ ...verifyingItem, status: 'REJECTED' }) });
    await store.transition(id, ['VERIFYING'], 'REJECTED', { error: { code: 'locked_out', message: 'Locked.' } });
    expect(plainInputs(ddb, UpdateItemCommand)).toContainEqual(
      expect.objectContaining({
        UpdateExpression: 'SET #status = :to, #error_code = :error_code, #error_message = :error_message',
        ExpressionAttributeValues: {
          ':to': 'REJECTED',
          ':error_code': 'locked_out',
          ':error_message': 'Locked.',
          ':f0': 'VERIFYING',
        },
      }),
    );
  });

  it('refuses a transition from no status at all without calling DynamoDB', async () => {
    await expect(store.transition(id, [], 'MINTED')).rejects.toMatchObject({ code: 'internal' });
    expect(ddb).not.toReceiveAnyCommand();
  });

  it.each([
    ['create', () => store.create(verifying), PutItemCommand],
    ['transition', () => store.transition(id, ['AWAITING_APPROVAL'], 'APPROVED'), UpdateItemCommand],
  ] as const)('%s maps ConditionalCheckFailedException to ConflictError', async (_name, call, command) => {
    ddb.on(command as typeof PutItemCommand).rejects(conditionFailed());
    await expect(call()).rejects.toBeInstanceOf(ConflictError);
  });

  it('lets other DynamoDB errors through', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ddb.on(UpdateItemCommand).rejects(throttled);
    await expect(store.transition(id, ['VERIFYING'], 'FAILED')).rejects.toBe(throttled);
  });
});
