/**
 * Grants and the environment variable that points at the resource, always set together, so a function
 * never knows a resource it may not use nor holds a grant it cannot address.
 */
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { ApprovalsTopic } from './constructs/approvals-topic.js';
import type { AuditTopic } from './constructs/audit-topic.js';
import type { SecretsKey } from './constructs/secrets-key.js';

/** The item-level DynamoDB actions the broker uses (never Scan, never `dynamodb:*`). */
export type TableAction = 'dynamodb:GetItem' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem';
/** The Step Functions actions the API uses. */
export type StateMachineAction = 'states:StartExecution' | 'states:SendTaskSuccess' | 'states:SendTaskFailure';

/** Sets `env` to the table's name and grants exactly `actions` on it. */
export function bindTable(fn: lambda.Function, env: string, table: dynamodb.ITable, actions: TableAction[]): void {
  fn.addEnvironment(env, table.tableName);
  table.grant(fn, ...actions);
}

/** Sets `env` to the key id and grants context-bound `kms:Decrypt` (plus `kms:Encrypt` of the timing decoy only). */
export function bindSecretsKey(fn: lambda.Function, env: string, key: SecretsKey): void {
  fn.addEnvironment(env, key.key.keyId);
  key.grantDecrypt(fn);
  key.grantDecoyEncrypt(fn);
}

/** Sets `env` to the topic ARN and grants `sns:Publish` (plus use of the topic's key). */
export function bindAuditTopic(fn: lambda.Function, env: string, audit: AuditTopic): void {
  fn.addEnvironment(env, audit.topic.topicArn);
  audit.grantPublish(fn);
}

/** Sets `env` to the approvals topic's ARN and grants `sns:Publish` (plus use of the topic's key). */
export function bindApprovalsTopic(fn: lambda.Function, env: string, approvals: ApprovalsTopic): void {
  fn.addEnvironment(env, approvals.topic.topicArn);
  approvals.grantPublish(fn);
}

/** Sets `env` to the state machine ARN and grants exactly `actions` on it. */
export function bindStateMachine(
  fn: lambda.Function,
  env: string,
  stateMachine: sfn.IStateMachine,
  actions: StateMachineAction[],
): void {
  fn.addEnvironment(env, stateMachine.stateMachineArn);
  stateMachine.grant(fn, ...actions);
}
