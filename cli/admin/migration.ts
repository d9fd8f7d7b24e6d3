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
import { isRoleSyntax, nameProblem } from '../../lambdas/core/entries.js';
import type { SecretCipher } from '../../lambdas/core/ports.js';
import { parseOtpauthUrl } from '../../lambdas/core/totp.js';

type Item = Record<string, AttributeValue>;

/** One item the migration left as it was, and why. */
export interface SkippedItem {
  issuer: string;
  accountName: string;
  reason: string;
}

/**
 * What a run did. `cannotCarryOver` names every entry that 2.0 cannot use as it stands (a name, role or
 * authorizer 2.0 refuses, an unsupported otpauth URL), with the reason and what to do; its secret, if any,
 * is encrypted all the same, so no plaintext seed stays behind.
 */
export interface MigrationReport {
  migrated: number;
  alreadyDone: number;
  skipped: SkippedItem[];
  cannotCarryOver: SkippedItem[];
}

/** Reasons an item is skipped. */
export const skipReasons = {
  noSecret: 'no TOTP secret (1.0 let such entries pass; re-enroll with `sts update device`)',
  badKeys: 'issuer or account_name is not a string',
  changed: 'changed during the migration (run it again)',
} as const;

/** A 1.0 list attribute: a list of strings, a string set (some 1.0 writers), or NULL (Go's nil slice). */
function readList(value: AttributeValue | undefined): { items: string[]; isList: boolean; dropped: number } {
  if (value?.L) {
    const items = value.L.flatMap((item) => (item.S !== undefined ? [item.S] : []));
    const dropped = value.L.length - items.length;
    return { items, isList: dropped === 0, dropped };
  }
  if (value?.SS) return { items: [...value.SS], isList: false, dropped: 0 };
  return { items: [], isList: false, dropped: 0 };
}

/** At most three values, quoted: enough to find them, never a whole list. */
function some(values: string[]): string {
  const shown = values.slice(0, 3).map((v) => JSON.stringify(v.slice(0, 80)));
  return `${shown.join(', ')}${values.length > 3 ? ` and ${values.length - 3} more` : ''}`;
}

/** Why 2.0 cannot use an entry as 1.0 left it (names, roles, authorizers), each with what to do. */
function entryProblems(
  issuer: string,
  accountName: string,
  roles: { items: string[]; isList: boolean; dropped: number },
  authorizers: { items: string[]; isList: boolean; dropped: number },
): string[] {
  const problems: string[] = [];
  const rename = 'it cannot sign in or be managed under this name: enroll it again under a valid one';
  const issuerProblem = nameProblem(issuer);
  if (issuerProblem) problems.push(`the issuer is not a valid name (${issuerProblem}); ${rename}`);
  const accountProblem = nameProblem(accountName);
  if (accountProblem) problems.push(`the account name is not a valid name (${accountProblem}); ${rename}`);
  const badRoles = roles.items.filter((role) => !isRoleSyntax(role));
  if (badRoles.length > 0) {
    problems.push(`roles ${some(badRoles)} are not role names or IAM role ARNs: fix them with \`sts update roles\``);
  }
  const badAuthorizers = authorizers.items.filter((name) => nameProblem(name) !== undefined || name === accountName);
  if (badAuthorizers.length > 0) {
    problems.push(
      `secondary authorizers ${some(badAuthorizers)} are not valid account names (or the account itself): fix them with \`sts update authorizers\``,
    );
  }
  for (const [what, list] of [
    ['roles', roles],
    ['secondary authorizers', authorizers],
  ] as const) {
    if (list.dropped > 0) problems.push(`${list.dropped} of its ${what} were not text and were dropped`);
  }
  return problems;
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
  const report: MigrationReport = { migrated: 0, alreadyDone: 0, skipped: [], cannotCarryOver: [] };
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
  for (const reason of entryProblems(issuer, accountName, roles, authorizers)) {
    report.cannotCarryOver.push({ issuer, accountName, reason });
  }

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
        const why = error instanceof Error ? error.message.replace(/\.$/, '') : 'unsupported otpauth URL';
        report.cannotCarryOver.push({
          issuer,
          accountName,
          reason: `${why}: it cannot sign in until \`sts update device\``,
        });
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
  const unusable = report.cannotCarryOver.length > 0 ? `, cannot carry over ${report.cannotCarryOver.length}` : '';
  return `migrated ${report.migrated}, already done ${report.alreadyDone}, ${skipped}${unusable}`;
}
