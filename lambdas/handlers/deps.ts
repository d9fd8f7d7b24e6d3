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
import { type AuditSink, type SecretCipher, systemClock } from '../core/ports.js';
import type { TaskDeps } from '../core/tasks.js';

/** The process configuration, validated once (a bad variable fails the cold start, naming it). */
export const config: LambdaConfig = loadConfig(process.env);

const clients = awsClients();

// The key and the topic are made on first use: the mint function has neither (nor their names), and
// never decrypts a secret or publishes (the state machine publishes its audit).
/** Builds `make()` once, on first call. */
function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => {
    if (made === undefined) made = make();
    return made;
  };
}
const kmsCipher = once(() => new KmsCipher(clients.kms, config.kmsKeyId));
const cipher: SecretCipher = {
  encrypt: (plaintext, context) => kmsCipher().encrypt(plaintext, context),
  decrypt: (ciphertext, context) => kmsCipher().decrypt(ciphertext, context),
};
const snsAudit = once(() => new SnsAudit(clients.sns, config.auditTopicArn));
const audit: AuditSink = { publish: (event) => snsAudit().publish(event) };

function commonDeps() {
  return {
    auth: new DynamoAuthStore(clients.dynamodb, config.authTableName),
    requests: new DynamoRequestStore(clients.dynamodb, config.requestsTableName),
    cipher,
    audit,
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
