/** The SNS topic approvers and requesters are notified on (issue 10), with the e-mail subscriptions of `approverEmails`. */
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { grantEncryptedPublish } from './audit-topic.js';

/** Props of {@link ApprovalsTopic}. */
export interface ApprovalsTopicProps {
  appName: string;
  /** The key that encrypts the topic (the audit topic's: both carry the same kind of data, and a key costs monthly). */
  key: kms.IKey;
  /** `issuer/account` → e-mail address; each address is subscribed once, filtered on its names. */
  approverEmails?: Record<string, string>;
}

/**
 * A KMS-encrypted, TLS-only topic for notifications: best-effort news for people, unlike the audit topic.
 * Every message carries the `approvers` attribute (a String.Array of `issuer/account`), so a subscription's
 * filter policy on some names receives exactly the requests those accounts may approve or made.
 */
export class ApprovalsTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.IKey;
  /** One e-mail subscription per distinct address (lower-cased) → the names it filters on. */
  readonly subscriptions: { subscription: sns.Subscription; names: string[] }[] = [];

  constructor(scope: Construct, id: string, props: ApprovalsTopicProps) {
    super(scope, id);
    this.key = props.key;
    this.topic = new sns.Topic(this, 'Topic', {
      // E-mail subscribers see it as the sender's name.
      displayName: `${props.appName} approvals`,
      masterKey: props.key,
      enforceSSL: true,
    });
    // SNS refuses a second subscription of the same address with another filter: one per address, all its names.
    const byAddress = new Map<string, { email: string; names: string[] }>();
    for (const [name, email] of Object.entries(props.approverEmails ?? {})) {
      const entry = byAddress.get(email.toLowerCase()) ?? { email, names: [] };
      entry.names.push(name);
      byAddress.set(email.toLowerCase(), entry);
    }
    for (const [address, { email, names }] of byAddress) {
      const subscription = new sns.Subscription(this, `Email-${address}`, {
        topic: this.topic,
        protocol: sns.SubscriptionProtocol.EMAIL,
        endpoint: email,
        // A String.Array attribute matches when any of its values is in the allowlist.
        filterPolicy: { approvers: sns.SubscriptionFilter.stringFilter({ allowlist: names }) },
      });
      // The default, said explicitly: the filter reads message attributes, never the body.
      (subscription.node.defaultChild as sns.CfnSubscription).filterPolicyScope = 'MessageAttributes';
      this.subscriptions.push({ subscription, names });
    }
  }

  /** Allows `sns:Publish` on the topic and the two key actions SNS needs for it. */
  grantPublish(grantee: iam.IGrantable): void {
    grantEncryptedPublish(grantee, this.topic, this.key);
  }
}
