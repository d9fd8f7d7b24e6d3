/**
 * AWS wiring shared by the Lambda entries: configuration is read once and every SDK client is created
 * once per process (at module load, outside the handler) so warm invocations reuse connections.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoAuthStore } from '../adapters/aws/dynamo-auth-store.js';
import { DynamoRequestStore } from '../adapters/aws/dynamo-request-store.js';
import { KmsCipher } from '../adapters/aws/kms-cipher.js';
import { SfnWorkflow } from '../adapters/aws/sfn-workflow.js';
import { SnsAudit } from '../adapters/aws/sns-audit.js';
import { StsMinter } from '../adapters/aws/sts-minter.js';
import type { BrokerDeps } from '../core/broker.js';
import { loadConfig } from '../core/config.js';
import { systemClock } from '../core/ports.js';
import type { TaskDeps } from '../core/tasks.js';

/** The process configuration, validated once (fails the cold start with the variable's name). */
export const config = loadConfig(process.env);

const dynamodb = new DynamoDBClient({});
const kms = new KMSClient({});
const sns = new SNSClient({});

function commonDeps() {
  return {
    auth: new DynamoAuthStore(dynamodb, config.authTableName),
    requests: new DynamoRequestStore(dynamodb, config.requestsTableName),
    cipher: new KmsCipher(kms, config.kmsKeyId),
    audit: new SnsAudit(sns, config.auditTopicArn),
    clock: systemClock,
  };
}

/** Dependencies of the API function's broker. */
export function brokerDeps(): BrokerDeps {
  return {
    ...commonDeps(),
    workflow: new SfnWorkflow(new SFNClient({}), config.stateMachineArn),
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
    minter: new StsMinter(new STSClient({})),
    config: {
      maxSessionSeconds: config.maxSessionSeconds,
      roleAccountId: config.roleAccountId,
      partition: config.partition,
      allowedRolePattern: config.allowedRolePattern,
    },
  };
}
