/**
 * Verify Lambda entry: the state machine's verification and bookkeeping tasks. Wiring only: configuration,
 * the clients this function uses (no STS, no state machine), the composition, the router of its actions.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { dynamoClientOptions } from '../adapters/aws/documents.js';
import { KmsCipher } from '../adapters/aws/kms-cipher.js';
import { SnsAudit } from '../adapters/aws/sns-audit.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { createStores } from '../compose-stores.js';
import { composeVerifyTasks } from '../compose-verify.js';
import { loadVerifyConfig } from '../core/config.js';
import { taskHandler, verifyRoutes } from './task-router.js';

const config = loadVerifyConfig(process.env);
const sns = new SNSClient({});
const tasks = composeVerifyTasks(
  createStores(new DynamoDBClient(dynamoClientOptions), config),
  {
    cipher: new KmsCipher(new KMSClient({}), config.kmsKeyId),
    audit: new SnsAudit(sns, config.auditTopicArn),
    // Best-effort: without the approvals topic nobody is notified; the audit above stays fail-closed.
    ...(config.approvalsTopicArn && { notifier: new SnsNotifier(sns, config.approvalsTopicArn) }),
    // The API serves the approval page at `GET {publicUrl}/approve/{id}`.
    links: () => ({ publicUrl: config.publicUrl, approvePage: true }),
  },
  config,
);

/** Runs the task named by `event.action`; minting is refused here (it has its own function and role). */
export const handler = taskHandler(verifyRoutes(tasks), 'This function does not run that action.');
