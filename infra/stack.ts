/** The broker stack: composes the subsystems and says what the CLI needs to know. Nothing else. */
import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { bindStateMachine } from './bind.js';
import type { InfraConfig } from './config.js';
import { Api } from './constructs/api.js';
import { ApprovalsTopic } from './constructs/approvals-topic.js';
import { AuditTopic } from './constructs/audit-topic.js';
import { BrokeredRole } from './constructs/brokered-role.js';
import { Domain } from './constructs/domain.js';
import { Functions } from './constructs/functions.js';
import { SecretsKey } from './constructs/secrets-key.js';
import { Tables } from './constructs/tables.js';
import { Workflow } from './constructs/workflow.js';

/** Props of {@link BrokerStack}: the validated configuration (see `infra/config.ts`). */
export interface BrokerStackProps extends StackProps {
  config: InfraConfig;
}

/** The whole broker in one account and region. */
export class BrokerStack extends Stack {
  readonly tables: Tables;
  readonly secretsKey: SecretsKey;
  readonly audit: AuditTopic;
  readonly approvals: ApprovalsTopic;
  readonly functions: Functions;
  readonly workflow: Workflow;
  readonly api: Api;
  readonly domain?: Domain;
  readonly brokeredRoles: BrokeredRole[];
  /** The URL the CLI talks to (custom domain when configured). */
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: BrokerStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.tables = new Tables(this, 'Tables', {
      authTableName: config.authTableName,
      requestsTableName: config.requestsTableName,
    });
    this.secretsKey = new SecretsKey(this, 'SecretsKey', { appName: config.appName });
    this.audit = new AuditTopic(this, 'Audit', { appName: config.appName, email: config.auditEmail });
    this.approvals = new ApprovalsTopic(this, 'Approvals', {
      appName: config.appName,
      key: this.audit.key,
      approverEmails: config.approverEmails,
    });
    this.functions = new Functions(this, 'Functions', {
      tables: this.tables,
      secretsKey: this.secretsKey,
      audit: this.audit,
      approvals: this.approvals,
      approvalTimeoutSeconds: config.approvalTimeoutSeconds,
      maxSessionSeconds: config.maxSessionSeconds,
      allowedRoles: config.allowedRoles,
      reservedConcurrency: config.reservedConcurrency,
      logRetentionDays: config.logRetentionDays,
    });
    this.workflow = new Workflow(this, 'Workflow', {
      appName: config.appName,
      verify: this.functions.verify,
      mint: this.functions.mint,
      requests: this.tables.requests,
      audit: this.audit,
      logRetentionDays: config.logRetentionDays,
    });
    bindStateMachine(this.functions.api, 'STS_STATE_MACHINE_ARN', this.workflow.stateMachine, [
      'states:StartExecution',
      'states:SendTaskSuccess',
      'states:SendTaskFailure',
    ]);
    this.api = new Api(this, 'Api', {
      appName: config.appName,
      handler: this.functions.api,
      logRetentionDays: config.logRetentionDays,
      disableDefaultEndpoint: config.domain !== undefined,
    });
    if (config.domain) {
      this.domain = new Domain(this, 'Domain', {
        ...config.domain,
        httpApi: this.api.httpApi,
        stage: this.api.stage,
      });
    }
    this.endpoint = this.domain?.url ?? this.api.url!;
    // The links in notifications (the approval page, `sts approve --endpoint`). No cycle: the API resource
    // itself needs no function, and the custom domain's URL is a plain string.
    this.functions.verify.addEnvironment('STS_PUBLIC_URL', this.endpoint);
    this.brokeredRoles = config.brokeredRoles.map(
      (role) =>
        new BrokeredRole(this, `BrokeredRole-${role.roleName ?? role.iamRoleName}`, {
          brokerRole: this.functions.mint.role!,
          // Resolved by the configuration: `<appName>-<roleName>`, or the configured full name.
          fullRoleName: role.iamRoleName,
          path: role.path,
          description: role.description,
          managedPolicyArns: role.managedPolicyArns,
        }),
    );

    this.outputs();
  }

  private outputs(): void {
    const keyId = this.secretsKey.key.keyId;
    new CfnOutput(this, 'Endpoint', { value: this.endpoint, description: 'STS_ENDPOINT: the broker API' });
    new CfnOutput(this, 'AuthTableName', {
      value: this.tables.auth.tableName,
      description: 'STS_TABLE_NAME: enrolled accounts',
    });
    new CfnOutput(this, 'RequestsTableName', { value: this.tables.requests.tableName });
    new CfnOutput(this, 'KmsKeyId', { value: keyId, description: 'STS_KMS_KEY_ID: encrypts TOTP secrets' });
    new CfnOutput(this, 'AuditTopicArn', { value: this.audit.topic.topicArn });
    new CfnOutput(this, 'ApprovalsTopicArn', {
      value: this.approvals.topic.topicArn,
      description: 'Approval notifications: subscribe chat channels or webhooks here (docs/notifications.md)',
    });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'MintRoleArn', {
      value: this.functions.mint.role!.roleArn,
      description: 'Trust this role in target roles (docs/deploy.md)',
    });
    new CfnOutput(this, 'Exports', {
      description: 'Paste into a shell (or ~/.profile) to point the sts CLI at this broker',
      value: Fn.join('', [
        'export STS_ENDPOINT=',
        this.endpoint,
        ' STS_TABLE_NAME=',
        this.tables.auth.tableName,
        ' STS_KMS_KEY_ID=',
        keyId,
        ' AWS_REGION=',
        this.region,
      ]),
    });
  }
}
