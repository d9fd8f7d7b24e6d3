/**
 * AWS wiring shared by the Lambda entries: configuration is read once and SDK clients are created once
 * per process (`awsClients()` caches them, lazily), so warm invocations reuse connections.
 */
import { awsClients } from '../adapters/aws/clients.js';
import { DynamoAuthStore } from '../adapters/aws/dynamo-auth-store.js';
import { DynamoRequestStore } from '../adapters/aws/dynamo-request-store.js';
import { KmsCipher } from '../adapters/aws/kms-cipher.js';
import { SfnWorkflow } from '../adapters/aws/sfn-workflow.js';
import { SnsAudit } from '../adapters/aws/sns-audit.js';
import { StsMinter } from '../adapters/aws/sts-minter.js';
import type { BrokerDeps } from '../core/broker.js';
import { type LambdaConfig, loadConfig } from '../core/config.js';
import { systemClock } from '../core/ports.js';
import type { TaskDeps } from '../core/tasks.js';

/** The process configuration, validated once (a bad variable fails the cold start, naming it). */
export const config: LambdaConfig = loadConfig(process.env);

const clients = awsClients();

function commonDeps() {
  return {
    auth: new DynamoAuthStore(clients.dynamodb, config.authTableName),
    requests: new DynamoRequestStore(clients.dynamodb, config.requestsTableName),
    cipher: new KmsCipher(clients.kms, config.kmsKeyId),
    audit: new SnsAudit(clients.sns, config.auditTopicArn),
    clock: systemClock,
  };
}

/** Dependencies of the API function's broker. */
export function brokerDeps(): BrokerDeps {
  return {
    ...commonDeps(),
    workflow: new SfnWorkflow(clients.sfn, config.stateMachineArn),
    config: {
      approvalTimeoutSeconds: config.approvalTimeoutSeconds,
      maxSessionSeconds: config.maxSessionSeconds,
      requestRetentionSeconds: config.requestRetentionSeconds,
    },
  };
}

/** Dependencies of the state machine's task functions (verify, mint). */
export function taskDeps(): TaskDeps {
  return {
    ...commonDeps(),
    minter: new StsMinter(clients.sts),
    config: {
      maxSessionSeconds: config.maxSessionSeconds,
      roleAccountId: config.roleAccountId,
      partition: config.partition,
      allowedRolePattern: config.allowedRolePattern,
    },
  };
}
