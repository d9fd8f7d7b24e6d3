import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { InternalError } from '../../core/errors.js';
import { isAwsError } from './aws-errors.js';

/** Key attribute names of a table (all of type S). */
export interface TableKeys {
  readonly partitionKey: string;
  readonly sortKey?: string;
}

/** Auth table: `issuer` HASH + `account_name` RANGE, as in STSFTW 1.0 (DESIGN.md §3). */
export const authTableKeys: TableKeys = Object.freeze({ partitionKey: 'issuer', sortKey: 'account_name' });

/** Requests table: `id` HASH. */
export const requestsTableKeys: TableKeys = Object.freeze({ partitionKey: 'id' });

/** The CreateTable key schema and attribute definitions for `keys`. */
export function keySchemaOf(keys: TableKeys): Pick<CreateTableCommandInput, 'KeySchema' | 'AttributeDefinitions'> {
  const names = keys.sortKey ? [keys.partitionKey, keys.sortKey] : [keys.partitionKey];
  return {
    KeySchema: names.map((name, index) => ({ AttributeName: name, KeyType: index === 0 ? 'HASH' : 'RANGE' })),
    AttributeDefinitions: names.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
  };
}

/** Table names, as in the embedded broker's server.json. */
export interface TableNames {
  authTableName: string;
  requestsTableName: string;
}

/** Polling of a table that is still being created; dynalite in tests and embedded runs with createTableMs 0. */
export interface EnsureTablesOptions {
  /** Pause between DescribeTable calls. Default 200 ms. */
  pollIntervalMs?: number;
  /** DescribeTable calls before giving up. Default 150 (30 s at the default interval). */
  maxAttempts?: number;
}

/**
 * Creates the auth and requests tables if missing (on-demand billing) and waits until both are ACTIVE.
 * Idempotent: existing tables are kept, but one with a different key schema is refused rather than misused.
 * Used by the embedded broker on dynalite; on AWS the tables come from CDK.
 */
export async function ensureTables(
  client: DynamoDBClient,
  names: TableNames,
  options: EnsureTablesOptions = {},
): Promise<void> {
  await Promise.all([
    ensureTable(client, names.authTableName, authTableKeys, options),
    ensureTable(client, names.requestsTableName, requestsTableKeys, options),
  ]);
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

function sameKeys(table: TableDescription, keys: TableKeys): boolean {
  const actual = (table.KeySchema ?? []).map((key) => `${key.AttributeName}:${key.KeyType}`).sort();
  const wanted = (keySchemaOf(keys).KeySchema ?? []).map((key) => `${key.AttributeName}:${key.KeyType}`).sort();
  return actual.join() === wanted.join();
}

/** Creates one table if missing (on-demand billing) and waits until it is ACTIVE; see `ensureTables`. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  keys: TableKeys,
  { pollIntervalMs = 200, maxAttempts = 150 }: EnsureTablesOptions,
): Promise<void> {
  let table = await describe(client, tableName);
  if (!table) {
    try {
      const created = await client.send(
        new CreateTableCommand({ TableName: tableName, BillingMode: 'PAY_PER_REQUEST', ...keySchemaOf(keys) }),
      );
      table = created.TableDescription;
    } catch (error) {
      // Another process (a second `sts server` on the same data dir) created it first: wait for theirs.
      if (!isAwsError(error, 'ResourceInUseException')) throw error;
    }
  }
  for (let attempt = 0; ; attempt++) {
    if (table) {
      if (!sameKeys(table, keys)) {
        throw new InternalError(`Table ${tableName} exists with a different key schema.`);
      }
      if (table.TableStatus === 'ACTIVE') return;
    }
    if (attempt >= maxAttempts) throw new InternalError(`Table ${tableName} did not become ACTIVE.`);
    if (pollIntervalMs > 0) await sleep(pollIntervalMs);
    table = await describe(client, tableName);
  }
}
