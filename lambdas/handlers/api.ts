/**
 * API Lambda entry: the Hono app behind the HTTP API. Wiring only: configuration, the clients this function
 * uses (created once per process, so warm invocations reuse their connections), the composition.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { handle } from 'hono/aws-lambda';
import { dynamoClientOptions } from '../adapters/aws/documents.js';
import { KmsCipher } from '../adapters/aws/kms-cipher.js';
import { RereadWatcher } from '../adapters/aws/reread-watcher.js';
import { SfnWorkflow } from '../adapters/aws/sfn-workflow.js';
import { SnsAudit } from '../adapters/aws/sns-audit.js';
import { createApp } from '../api/app.js';
import { composeBroker } from '../compose-api.js';
import { createStores } from '../compose-stores.js';
import { loadApiConfig } from '../core/config.js';

const config = loadApiConfig(process.env);
const broker = composeBroker(
  createStores(new DynamoDBClient(dynamoClientOptions), config),
  {
    cipher: new KmsCipher(new KMSClient({}), config.kmsKeyId),
    audit: new SnsAudit(new SNSClient({}), config.auditTopicArn),
    workflow: new SfnWorkflow(new SFNClient({}), config.stateMachineArn),
    watcher: new RereadWatcher({ maxWaitSeconds: config.maxWaitSeconds }),
  },
  config,
);

export const handler = handle(createApp({ broker }));
