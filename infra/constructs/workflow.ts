/** The approval workflow: the Standard state machine from `statemachine/approval.asl.json`. */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type Placeholder, rawDefinition } from '../../statemachine/definition.js';
import type { AuditTopic } from './audit-topic.js';

/** Props of {@link Workflow}. */
export interface WorkflowProps {
  appName: string;
  verify: lambda.IFunction;
  mint: lambda.IFunction;
  requests: dynamodb.ITable;
  audit: AuditTopic;
  logRetentionDays: number;
}

/**
 * A Standard workflow (Express cannot wait on task tokens). Its role may invoke the two task functions,
 * update request items and publish to the audit topic, nothing else. Logs carry errors only and never
 * execution data: inputs hold TOTP codes and task tokens.
 */
export class Workflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      // The vendedlogs prefix keeps CloudWatch Logs' resource policy from growing with every state machine.
      logGroupName: `/aws/vendedlogs/states/${props.appName}-approval`,
      retention: props.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(rawDefinition()),
      // CloudFormation substitutes the placeholders; typed so a renamed placeholder fails to compile.
      definitionSubstitutions: {
        VerifyFunctionArn: props.verify.functionArn,
        MintFunctionArn: props.mint.functionArn,
        RequestsTableName: props.requests.tableName,
        AuditTopicArn: props.audit.topic.topicArn,
      } satisfies Record<Placeholder, string>,
      logs: { destination: logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
      tracingEnabled: true,
    });
    // The definition invokes the unqualified ARNs; `grantInvoke` would add every version (`:*`) too.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [props.verify.functionArn, props.mint.functionArn],
      }),
    );
    props.requests.grant(this.stateMachine, 'dynamodb:UpdateItem');
    props.audit.grantPublish(this.stateMachine);

    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF1',
      reason:
        'Logging ALL events would copy state inputs (TOTP codes, task tokens) into CloudWatch; errors only, without execution data, by design.',
    });
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs delivery (logs:CreateLogDelivery and friends) and X-Ray actions support no resource-level permissions.',
    });
  }
}
