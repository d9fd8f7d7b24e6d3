/** The SNS topic every mint, denial, expiry, rejection, failure and lockout is announced on. */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { rotatingKey } from './rotating-key.js';

/** Props of {@link AuditTopic}. */
export interface AuditTopicProps {
  appName: string;
  /** Subscribed by e-mail when given (the address must confirm the subscription). */
  email?: string;
}

/**
 * A topic encrypted with its own customer-managed key (so publishers get explicit key grants, and
 * services other than SNS could be allowed later) that refuses publishing over plain HTTP.
 */
export class AuditTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AuditTopicProps) {
    super(scope, id);
    // Nothing at rest depends on it once messages are delivered.
    this.key = rotatingKey(this, `${props.appName}: encrypts the audit topic`, RemovalPolicy.DESTROY);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `${props.appName} audit`,
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }

  /**
   * Allows `sns:Publish` on the topic and the two key actions SNS needs for it (`kms:GenerateDataKey`,
   * `kms:Decrypt`), spelled out: `Topic.grantPublish` would grant `kms:GenerateDataKey*`.
   */
  grantPublish(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.key.keyArn] }),
    );
  }
}
