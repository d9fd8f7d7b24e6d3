/**
 * What every part of the broker is built on: the two stores over one DynamoDB client, and the role settings
 * each part reads. The parts themselves are composed in one module each (`compose-api.ts`,
 * `compose-verify.ts`, `compose-mint.ts`), so a Lambda bundle holds only its own part's code.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAuthStore } from './adapters/aws/dynamo-auth-store.js';
import { DynamoRequestStore } from './adapters/aws/dynamo-request-store.js';
import type { TableNames } from './core/config.js';
import type { RoleConfig } from './core/roles.js';

/** The stores of one set of tables. */
export interface Stores {
  auth: DynamoAuthStore;
  requests: DynamoRequestStore;
}

/** Builds the stores on `dynamodb`. */
export function createStores(dynamodb: DynamoDBClient, tables: TableNames): Stores {
  return {
    auth: new DynamoAuthStore(dynamodb, tables.authTableName),
    requests: new DynamoRequestStore(dynamodb, tables.requestsTableName),
  };
}

/** Only the role settings, from a configuration that may hold more. */
export function roleConfig(settings: RoleConfig): RoleConfig {
  const { partition, roleAccountId, allowedRolePattern } = settings;
  return { partition, roleAccountId, allowedRolePattern };
}
