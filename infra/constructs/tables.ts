/** The two DynamoDB tables: enrolled accounts (auth, STSFTW 1.0 key schema) and credential requests. */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** Names of both tables. */
export interface TablesProps {
  authTableName: string;
  requestsTableName: string;
}

/**
 * On-demand tables with point-in-time recovery, deletion protection and SSE under the AWS-managed
 * DynamoDB key. Both are retained when the stack is deleted: they hold the enrollments and the audit trail
 * of requests, which must outlive a mistaken `cdk destroy`.
 */
export class Tables extends Construct {
  /** Partition key `issuer` (S), sort key `account_name` (S), as in STSFTW 1.0. */
  readonly auth: dynamodb.Table;
  /** Partition key `id` (S); items expire through TTL on `expires_at`. */
  readonly requests: dynamodb.Table;

  constructor(scope: Construct, id: string, props: TablesProps) {
    super(scope, id);
    const common = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    this.auth = new dynamodb.Table(this, 'Auth', {
      ...common,
      tableName: props.authTableName,
      partitionKey: { name: 'issuer', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'account_name', type: dynamodb.AttributeType.STRING },
    });
    this.requests = new dynamodb.Table(this, 'Requests', {
      ...common,
      tableName: props.requestsTableName,
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expires_at',
    });
  }
}
