/**
 * The whole broker over one set of tables, for the embedded broker (`adapters/local/local-broker.ts`), which
 * runs every part in one process with dynalite and local stand-ins. The Lambdas (`handlers/`) each compose
 * only their own part (`compose-api.ts`, `compose-verify.ts`, `compose-mint.ts`), so each bundle holds only
 * its part's code. Settings are picked there, so no caller maps them.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BrokerAdapters, composeBroker } from './compose-api.js';
import { composeMintTask } from './compose-mint.js';
import { createStores, type Stores } from './compose-stores.js';
import { composeVerifyTasks, type VerifyAdapters } from './compose-verify.js';
import type { Broker, BrokerConfig } from './core/broker.js';
import type { TableNames } from './core/config.js';
import type { Clock, Minter } from './core/ports.js';
import { systemClock } from './core/ports.js';
import type { RoleConfig } from './core/roles.js';
import type { MintConfig, MintTask } from './core/tasks/mint.js';
import type { VerifyTasks } from './core/tasks/verify.js';

/** The parts of a broker over one set of tables. */
export interface Composition extends Stores {
  /** The API's use cases. */
  broker(adapters: BrokerAdapters, settings: BrokerConfig): Broker;
  /** The verify function's tasks. */
  verifyTasks(adapters: VerifyAdapters, settings: RoleConfig): VerifyTasks;
  /** The mint function's task. */
  mintTask(adapters: { minter: Minter }, settings: MintConfig): MintTask;
}

/** Builds the stores on `dynamodb` and returns the parts to take from them. */
export function compose(dynamodb: DynamoDBClient, tables: TableNames, clock: Clock = systemClock): Composition {
  const stores = createStores(dynamodb, tables);
  return {
    ...stores,
    broker: (adapters, settings) => composeBroker(stores, adapters, settings, clock),
    verifyTasks: (adapters, settings) => composeVerifyTasks(stores, adapters, settings, clock),
    mintTask: (adapters, settings) => composeMintTask(stores, adapters, settings, clock),
  };
}
