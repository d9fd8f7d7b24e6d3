/**
 * Mint Lambda entry: AssumeRole + seal, the only function allowed to call STS. Wiring only: configuration,
 * the clients this function uses (no key, no topic: it decrypts nothing and publishes nothing), the
 * composition, the router of its one action.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import { dynamoClientOptions } from '../adapters/aws/documents.js';
import { StsMinter } from '../adapters/aws/sts-minter.js';
import { composeMintTask } from '../compose-mint.js';
import { createStores } from '../compose-stores.js';
import { loadMintConfig } from '../core/config.js';
import { mintRoutes, taskHandler } from './task-router.js';

const config = loadMintConfig(process.env);
const task = composeMintTask(
  createStores(new DynamoDBClient(dynamoClientOptions), config),
  { minter: new StsMinter(new STSClient({})) },
  config,
);

/** Runs the `mint` task; any other action is refused so this role's STS rights serve nothing else. */
export const handler = taskHandler(mintRoutes(task), 'This function only mints.');
