/**
 * The one composition of the broker: the stores on DynamoDB and the core use cases over them. The three
 * Lambdas (`handlers/`) call it with AWS clients, each taking only the part its function runs (and has
 * grants for); the embedded broker (`adapters/local/embedded.ts`) calls it with dynalite and local
 * stand-ins, and takes every part. Settings are picked here, so neither caller maps them.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAuthStore } from './adapters/aws/dynamo-auth-store.js';
import { DynamoRequestStore } from './adapters/aws/dynamo-request-store.js';
import { type Broker, type BrokerConfig, createBroker } from './core/broker.js';
import type { TableNames } from './core/config.js';
import type { AuditSink, Clock, Minter, RequestWatcher, SecretCipher, Workflow } from './core/ports.js';
import { systemClock } from './core/ports.js';
import type { RoleConfig } from './core/roles.js';
import { createMintTask, type MintConfig, type MintTask } from './core/tasks/mint.js';
import { createVerifyTasks, type VerifyTaskDeps, type VerifyTasks } from './core/tasks/verify.js';

/** The parts of a broker over one set of tables. */
export interface Composition {
  auth: DynamoAuthStore;
  requests: DynamoRequestStore;
  /** The API's use cases (`watcher`: how its long-polls wait; without one they answer at once). */
  broker(
    adapters: { cipher: SecretCipher; audit: AuditSink; workflow: Workflow; watcher?: RequestWatcher },
    settings: BrokerConfig,
  ): Broker;
  /** The verify function's tasks: the key and the audit sink are the authenticator's (lockouts). */
  verifyTasks(
    adapters: { cipher: SecretCipher; audit: AuditSink } & Pick<VerifyTaskDeps, 'notifier' | 'links' | 'log'>,
    settings: RoleConfig,
  ): VerifyTasks;
  /** The mint function's task. */
  mintTask(adapters: { minter: Minter }, settings: MintConfig): MintTask;
}

function roleConfig(settings: RoleConfig): RoleConfig {
  const { partition, roleAccountId, allowedRolePattern } = settings;
  return { partition, roleAccountId, allowedRolePattern };
}

/** Builds the stores on `dynamodb` and returns the parts to take from them. */
export function compose(dynamodb: DynamoDBClient, tables: TableNames, clock: Clock = systemClock): Composition {
  const auth = new DynamoAuthStore(dynamodb, tables.authTableName);
  const requests = new DynamoRequestStore(dynamodb, tables.requestsTableName);
  return {
    auth,
    requests,
    broker: (adapters, settings) =>
      createBroker({
        auth,
        requests,
        clock,
        ...adapters,
        config: {
          ...roleConfig(settings),
          approvalTimeoutSeconds: settings.approvalTimeoutSeconds,
          maxSessionSeconds: settings.maxSessionSeconds,
          requestRetentionSeconds: settings.requestRetentionSeconds,
        },
      }),
    verifyTasks: (adapters, settings) =>
      createVerifyTasks({ auth, requests, clock, ...adapters, config: roleConfig(settings) }),
    mintTask: (adapters, settings) =>
      createMintTask({
        auth,
        requests,
        clock,
        ...adapters,
        config: { ...roleConfig(settings), maxSessionSeconds: settings.maxSessionSeconds },
      }),
  };
}
