import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, InternalError } from '../../core/errors.js';
import { type AuthStore, type Clock, systemClock } from '../../core/ports.js';
import type { AuthEntry } from '../../core/types.js';
import { isAwsError } from './aws-errors.js';
import { optionalNumber, optionalString, stringList } from './item-values.js';

/** An auth table item as lib-dynamodb reads and writes it (snake_case attribute names, DESIGN.md §3). */
export type AuthItem = Record<string, unknown>;

/** Maps an entry to its auth table item; optional fields that are unset are left out. */
export function authEntryToItem(entry: AuthEntry): AuthItem {
  return {
    issuer: entry.issuer,
    account_name: entry.accountName,
    roles: [...entry.roles],
    secondary_authorization: [...entry.secondaryAuthorization],
    totp_secret: entry.totpSecret,
    last_step: entry.lastStep,
    failed_attempts: entry.failedAttempts,
    locked_until: entry.lockedUntil,
    created_at: entry.createdAt,
    updated_at: entry.updatedAt,
  };
}

/** Maps an auth table item (ours or STSFTW 1.0's, whose lists may be string sets) to an entry. */
export function authEntryFromItem(item: AuthItem): AuthEntry {
  const entry: AuthEntry = {
    issuer: optionalString(item.issuer) ?? '',
    accountName: optionalString(item.account_name) ?? '',
    roles: stringList(item.roles),
    secondaryAuthorization: stringList(item.secondary_authorization),
    // STSFTW 1.0 entries may lack timestamps; an empty string keeps the type honest without inventing a date.
    createdAt: optionalString(item.created_at) ?? '',
    updatedAt: optionalString(item.updated_at) ?? optionalString(item.created_at) ?? '',
  };
  const totpSecret = optionalString(item.totp_secret);
  const lastStep = optionalNumber(item.last_step);
  const failedAttempts = optionalNumber(item.failed_attempts);
  const lockedUntil = optionalString(item.locked_until);
  if (totpSecret !== undefined) entry.totpSecret = totpSecret;
  if (lastStep !== undefined) entry.lastStep = lastStep;
  if (failedAttempts !== undefined) entry.failedAttempts = failedAttempts;
  if (lockedUntil !== undefined) entry.lockedUntil = lockedUntil;
  return entry;
}

/** Runs a conditional write; a lost condition becomes a ConflictError (the message names no key values). */
async function conditional<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) throw new ConflictError(message);
    throw error;
  }
}

/** The auth table (enrolled accounts) on DynamoDB or dynalite. */
export class DynamoAuthStore implements AuthStore {
  private readonly doc: DynamoDBDocumentClient;

  /**
   * @param client a DynamoDBClient created once per process.
   * @param tableName the auth table (`STS_TABLE_NAME`).
   * @param clock stamps `updated_at` in `update`, the one port method that is not given `now`.
   */
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: Clock = systemClock,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(issuer: string, accountName: string): Promise<AuthEntry | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { issuer, account_name: accountName }, ConsistentRead: true }),
    );
    return Item ? authEntryFromItem(Item) : undefined;
  }

  async list(issuer: string): Promise<AuthEntry[]> {
    const entries: AuthEntry[] = [];
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'issuer = :issuer',
          ExpressionAttributeValues: { ':issuer': issuer },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) entries.push(authEntryFromItem(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return entries;
  }

  async put(entry: AuthEntry, options: { overwrite?: boolean } = {}): Promise<void> {
    await conditional(
      () =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: authEntryToItem(entry),
            ...(options.overwrite ? {} : { ConditionExpression: 'attribute_not_exists(issuer)' }),
          }),
        ),
      'The account is already enrolled.',
    );
  }

  async update(
    issuer: string,
    accountName: string,
    changes: Partial<Pick<AuthEntry, 'roles' | 'secondaryAuthorization' | 'totpSecret'>> & { resetCounters?: boolean },
  ): Promise<void> {
    const set = ['updated_at = :now'];
    const remove: string[] = [];
    const values: Record<string, unknown> = { ':now': this.clock.now().toISOString() };
    // `roles` is a DynamoDB reserved word, hence the name placeholders.
    const names: Record<string, string> = {};
    const assign = (attribute: string, value: unknown) => {
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      set.push(`#${attribute} = :${attribute}`);
    };
    if (changes.roles !== undefined) assign('roles', [...changes.roles]);
    if (changes.secondaryAuthorization !== undefined) {
      assign('secondary_authorization', [...changes.secondaryAuthorization]);
    }
    if (changes.totpSecret !== undefined) assign('totp_secret', changes.totpSecret);
    if (changes.resetCounters) {
      // Unlocks the account. last_step stays: it is the replay guard and TOTP steps only move forward.
      assign('failed_attempts', 0);
      remove.push('locked_until');
    }
    await conditional(
      () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { issuer, account_name: accountName },
            UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
            ConditionExpression: 'attribute_exists(issuer)',
            ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
            ExpressionAttributeValues: values,
          }),
        ),
      'The account is not enrolled.',
    );
  }

  async remove(issuer: string, accountName: string): Promise<void> {
    await conditional(
      () =>
        this.doc.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { issuer, account_name: accountName },
            ConditionExpression: 'attribute_exists(issuer)',
          }),
        ),
      'The account is not enrolled.',
    );
  }

  async consumeStep(issuer: string, accountName: string, step: number, now: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { issuer, account_name: accountName },
          UpdateExpression: 'SET last_step = :step, failed_attempts = :zero, updated_at = :now REMOVE locked_until',
          // The once-only guard: a replayed (or older) step loses the condition, even between two racing Lambdas.
          ConditionExpression: 'attribute_exists(issuer) AND (attribute_not_exists(last_step) OR last_step < :step)',
          ExpressionAttributeValues: { ':step': step, ':zero': 0, ':now': now.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
      throw error;
    }
  }

  async recordFailure(issuer: string, accountName: string, now: Date): Promise<number> {
    const { Attributes } = await conditional(
      () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { issuer, account_name: accountName },
            // ADD is atomic: concurrent wrong codes each count.
            UpdateExpression: 'SET updated_at = :now ADD failed_attempts :one',
            ConditionExpression: 'attribute_exists(issuer)',
            ExpressionAttributeValues: { ':one': 1, ':now': now.toISOString() },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      'The account is not enrolled.',
    );
    const count = optionalNumber(Attributes?.failed_attempts);
    if (count === undefined) throw new InternalError('DynamoDB did not return the failed attempt count.');
    return count;
  }

  async lock(issuer: string, accountName: string, until: Date, now: Date): Promise<void> {
    await conditional(
      () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { issuer, account_name: accountName },
            UpdateExpression: 'SET locked_until = :until, failed_attempts = :zero, updated_at = :now',
            ConditionExpression: 'attribute_exists(issuer)',
            ExpressionAttributeValues: { ':until': until.toISOString(), ':zero': 0, ':now': now.toISOString() },
          }),
        ),
      'The account is not enrolled.',
    );
  }
}
