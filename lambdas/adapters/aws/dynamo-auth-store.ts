import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError, InternalError } from '../../core/errors.js';
import { type AuthStore, type Clock, type EntryChanges, systemClock } from '../../core/ports.js';
import type { AuthEntry } from '../../core/types.js';
import { approvalRulesToItem, authEntryFromItem, authEntryToItem } from './auth-item.js';
import { isAwsError } from './aws-errors.js';
import { type Document, Documents } from './documents.js';
import { optionalNumber } from './item-values.js';

/** Runs a conditional write; a lost condition becomes a ConflictError (the message names no key values). */
async function conditional<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) throw new ConflictError(message);
    throw error;
  }
}

/** Runs a conditional write; true if it was applied, false if its condition did not hold. */
async function applied(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
    throw error;
  }
}

/** The auth table (enrolled accounts) on DynamoDB or dynalite. */
export class DynamoAuthStore implements AuthStore {
  private readonly doc: Documents;

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
    this.doc = new Documents(client);
  }

  async get(issuer: string, accountName: string): Promise<AuthEntry | undefined> {
    const Item = await this.doc.get({
      TableName: this.tableName,
      Key: { issuer, account_name: accountName },
      ConsistentRead: true,
    });
    return Item ? authEntryFromItem(Item) : undefined;
  }

  async list(issuer: string): Promise<AuthEntry[]> {
    const entries: AuthEntry[] = [];
    let startKey: Document | undefined;
    do {
      const page = await this.doc.query({
        TableName: this.tableName,
        KeyConditionExpression: 'issuer = :issuer',
        ExpressionAttributeValues: { ':issuer': issuer },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      });
      for (const item of page.items) entries.push(authEntryFromItem(item));
      startKey = page.lastKey;
    } while (startKey);
    return entries;
  }

  async put(entry: AuthEntry, options: { overwrite?: boolean } = {}): Promise<void> {
    await conditional(
      () =>
        this.doc.put({
          TableName: this.tableName,
          Item: authEntryToItem(entry),
          ...(options.overwrite ? {} : { ConditionExpression: 'attribute_not_exists(issuer)' }),
        }),
      'The account is already enrolled.',
    );
  }

  async update(issuer: string, accountName: string, changes: EntryChanges): Promise<void> {
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
    if (changes.approvalRules?.length) assign('approval_rules', approvalRulesToItem(changes.approvalRules));
    else if (changes.approvalRules !== undefined) remove.push('approval_rules');
    if (changes.resetCounters) {
      // Unlocks the account. last_step stays: it is the replay guard and TOTP steps only move forward.
      assign('failed_attempts', 0);
      remove.push('locked_until');
    }
    await conditional(
      () =>
        this.doc.update({
          TableName: this.tableName,
          Key: { issuer, account_name: accountName },
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(issuer)',
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      'The account is not enrolled.',
    );
  }

  async remove(issuer: string, accountName: string): Promise<void> {
    await conditional(
      () =>
        this.doc.delete({
          TableName: this.tableName,
          Key: { issuer, account_name: accountName },
          ConditionExpression: 'attribute_exists(issuer)',
        }),
      'The account is not enrolled.',
    );
  }

  async consumeStep(issuer: string, accountName: string, step: number, now: Date): Promise<boolean> {
    return applied(() =>
      this.doc.update({
        TableName: this.tableName,
        Key: { issuer, account_name: accountName },
        UpdateExpression: 'SET last_step = :step, failed_attempts = :zero, updated_at = :now REMOVE locked_until',
        // The once-only guard: a replayed (or older) step loses the condition, even between two racing Lambdas.
        ConditionExpression: 'attribute_exists(issuer) AND (attribute_not_exists(last_step) OR last_step < :step)',
        ExpressionAttributeValues: { ':step': step, ':zero': 0, ':now': now.toISOString() },
      }),
    );
  }

  async claimAttempt(
    issuer: string,
    accountName: string,
    max: number,
    now: Date,
    staleBefore: Date,
  ): Promise<number | undefined> {
    try {
      const Attributes = await this.doc.update({
        TableName: this.tableName,
        Key: { issuer, account_name: accountName },
        // ADD is atomic and the condition is checked with it: however many guesses race, at most `max`
        // of them get a claim while the account is unlocked.
        UpdateExpression: 'SET updated_at = :now ADD failed_attempts :one',
        ConditionExpression:
          'attribute_exists(issuer) AND (attribute_not_exists(locked_until) OR locked_until <= :now) AND ' +
          '(attribute_not_exists(failed_attempts) OR failed_attempts < :max OR ' +
          'attribute_not_exists(updated_at) OR updated_at < :stale)',
        ExpressionAttributeValues: {
          ':one': 1,
          ':max': max,
          ':now': now.toISOString(),
          ':stale': staleBefore.toISOString(),
        },
        ReturnValues: 'UPDATED_NEW',
      });
      const count = optionalNumber(Attributes?.failed_attempts);
      if (count === undefined) throw new InternalError('DynamoDB did not return the attempt count.');
      return count;
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return undefined;
      throw error;
    }
  }

  async releaseAttempt(issuer: string, accountName: string, now: Date): Promise<void> {
    await applied(() =>
      this.doc.update({
        TableName: this.tableName,
        Key: { issuer, account_name: accountName },
        UpdateExpression: 'SET updated_at = :now ADD failed_attempts :minus',
        // A lock or a success may already have reset the counter: never below zero.
        ConditionExpression: 'failed_attempts > :zero',
        ExpressionAttributeValues: { ':minus': -1, ':zero': 0, ':now': now.toISOString() },
      }),
    );
  }

  async lock(issuer: string, accountName: string, until: Date, now: Date, max: number): Promise<boolean> {
    return applied(() =>
      this.doc.update({
        TableName: this.tableName,
        Key: { issuer, account_name: accountName },
        UpdateExpression: 'SET locked_until = :until, failed_attempts = :zero, updated_at = :now',
        // Resetting the counter in the same write makes a second locker's condition fail: one lock, one audit.
        ConditionExpression: 'failed_attempts >= :max AND (attribute_not_exists(locked_until) OR locked_until <= :now)',
        ExpressionAttributeValues: {
          ':until': until.toISOString(),
          ':zero': 0,
          ':max': max,
          ':now': now.toISOString(),
        },
      }),
    );
  }
}
