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
    // The approvals topic shares it: both hold the same names and reasons, and a key costs $1 a month.
    this.key = rotatingKey(this, `${props.appName}: encrypts the audit and approvals topics`, RemovalPolicy.DESTROY);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `${props.appName} audit`,
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }

  /** Allows `sns:Publish` on the topic and the key actions SNS needs for it ({@link grantEncryptedPublish}). */
  grantPublish(grantee: iam.IGrantable): void {
    grantEncryptedPublish(grantee, this.topic, this.key);
  }
}

/**
 * Allows `sns:Publish` on an encrypted topic and the two key actions SNS needs for it (`kms:GenerateDataKey`,
 * `kms:Decrypt`), spelled out: `Topic.grantPublish` would grant `kms:GenerateDataKey*`.
 */
export function grantEncryptedPublish(grantee: iam.IGrantable, topic: sns.ITopic, key: kms.IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
  );
}
