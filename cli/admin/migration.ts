/**
 * STSFTW 1.0 → 2.0 migration of an auth table, in place. 1.0 kept each account's otpauth URL (the TOTP seed)
 * in plaintext in `url`; 2.0 keeps it encrypted in `totp_secret`. Each item is rewritten with one conditional
 * UpdateItem (SET totp_secret, REMOVE url), so a crash leaves every item either old or new, never both, and a
 * second run skips what is done.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  ScanCommand,
  type ScanCommandOutput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { isAwsError } from '../../lambdas/adapters/aws/aws-errors.js';
import type { SecretCipher } from '../../lambdas/core/ports.js';
import { parseOtpauthUrl } from '../../lambdas/core/totp.js';

type Item = Record<string, AttributeValue>;

/** One item the migration left as it was, and why. */
export interface SkippedItem {
  issuer: string;
  accountName: string;
  reason: string;
}

/** What a run did; `warnings` name migrated entries that still cannot authenticate. */
export interface MigrationReport {
  migrated: number;
  alreadyDone: number;
  skipped: SkippedItem[];
  warnings: string[];
}

/** Reasons an item is skipped. */
export const skipReasons = {
  noSecret: 'no TOTP secret (1.0 let such entries pass; re-enroll with `sts update device`)',
  badKeys: 'issuer or account_name is not a string',
  changed: 'changed during the migration (run it again)',
} as const;

/** A 1.0 list attribute: a list of strings, a string set (some 1.0 writers), or NULL (Go's nil slice). */
function readList(value: AttributeValue | undefined): { items: string[]; isList: boolean } {
  if (value?.L) {
    const items = value.L.flatMap((item) => (item.S !== undefined ? [item.S] : []));
    return { items, isList: items.length === value.L.length };
  }
  if (value?.SS) return { items: [...value.SS], isList: false };
  return { items: [], isList: false };
}

function listValue(items: string[]): AttributeValue {
  return { L: items.map((item) => ({ S: item })) };
}

/**
 * Migrates every item of `tableName`.
 *
 * This is the one place the project Scans: a 1.0 table has no index over its issuers, and this runs once, by
 * an administrator. Everything else reads with GetItem or Query.
 */
export async function migrateTable(
  client: DynamoDBClient,
  tableName: string,
  cipher: SecretCipher,
  now: () => Date = () => new Date(),
): Promise<MigrationReport> {
  const report: MigrationReport = { migrated: 0, alreadyDone: 0, skipped: [], warnings: [] };
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page: ScanCommandOutput = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) await migrateItem(client, tableName, cipher, item, now(), report);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return report;
}

async function migrateItem(
  client: DynamoDBClient,
  tableName: string,
  cipher: SecretCipher,
  item: Item,
  now: Date,
  report: MigrationReport,
): Promise<void> {
  const issuer = item.issuer?.S;
  const accountName = item.account_name?.S;
  if (issuer === undefined || accountName === undefined) {
    report.skipped.push({
      issuer: String(issuer ?? '?'),
      accountName: String(accountName ?? '?'),
      reason: skipReasons.badKeys,
    });
    return;
  }
  const roles = readList(item.roles);
  const authorizers = readList(item.secondary_authorization);
  const url = item.url;
  const plaintext = url?.S !== undefined && url.S !== '' ? url.S : undefined;
  const hasSecret = item.totp_secret?.S !== undefined && item.totp_secret.S !== '';
  const needsLists = !roles.isList || !authorizers.isList;

  if (url === undefined && !needsLists) {
    if (hasSecret) report.alreadyDone++;
    else report.skipped.push({ issuer, accountName, reason: skipReasons.noSecret });
    return;
  }

  const names: Record<string, string> = {
    '#roles': 'roles',
    '#authorizers': 'secondary_authorization',
    '#created': 'created_at',
    '#updated': 'updated_at',
  };
  const values: Item = {
    ':roles': listValue(roles.items),
    ':authorizers': listValue(authorizers.items),
    ':now': { S: now.toISOString() },
  };
  const set = [
    '#roles = :roles',
    '#authorizers = :authorizers',
    '#created = if_not_exists(#created, :now)',
    '#updated = :now',
  ];
  const remove: string[] = [];
  // Only write if the item is still what was read, so a concurrent change is never overwritten.
  let condition = 'attribute_exists(issuer) AND attribute_not_exists(#url)';
  names['#url'] = 'url';

  if (url !== undefined) {
    remove.push('#url');
    if (plaintext !== undefined) {
      // If both exist, `url` wins: 2.0 never writes it, so it was set later by a 1.0 tool (a device update).
      set.push('totp_secret = :secret');
      values[':secret'] = { S: await cipher.encrypt(plaintext, { issuer, account_name: accountName }) };
      try {
        parseOtpauthUrl(plaintext);
      } catch (error) {
        // Encrypted anyway, so no plaintext remains; the message names the problem, never the URL.
        const why = error instanceof Error ? error.message : 'unsupported otpauth URL';
        report.warnings.push(`${issuer}/${accountName}: ${why} It cannot sign in until \`sts update device\`.`);
      }
      condition = 'attribute_exists(issuer) AND #url = :url';
      values[':url'] = url;
    } else {
      // An empty or non-string url holds no secret: drop it, and judge the item on totp_secret alone.
      condition = 'attribute_exists(issuer) AND attribute_exists(#url)';
    }
  }

  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { issuer: { S: issuer }, account_name: { S: accountName } },
        UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) {
      report.skipped.push({ issuer, accountName, reason: skipReasons.changed });
      return;
    }
    throw error;
  }

  if (plaintext !== undefined || hasSecret) report.migrated++;
  else report.skipped.push({ issuer, accountName, reason: skipReasons.noSecret });
}

/** "migrated 2, already done 1, skipped 1 (no TOTP secret …: acme/carol)". */
export function formatReport(report: MigrationReport): string {
  const byReason = new Map<string, string[]>();
  for (const { issuer, accountName, reason } of report.skipped) {
    byReason.set(reason, [...(byReason.get(reason) ?? []), `${issuer}/${accountName}`]);
  }
  const reasons = [...byReason].map(([reason, who]) => `${reason}: ${who.join(', ')}`);
  const skipped = `skipped ${report.skipped.length}${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`;
  return `migrated ${report.migrated}, already done ${report.alreadyDone}, ${skipped}`;
}
