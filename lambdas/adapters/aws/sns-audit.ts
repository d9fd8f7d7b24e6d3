import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { auditMessage } from '../../core/audit-message.js';
import type { AuditSink } from '../../core/ports.js';
import type { AuditEvent } from '../../core/types.js';

/**
 * Publishes audit events (lockouts; the state machine publishes the rest itself, from the same
 * `auditMessage`) to the audit topic: a subject per event type and per-protocol messages.
 */
export class SnsAudit implements AuditSink {
  /**
   * @param client an SNSClient created once per process.
   * @param topicArn the audit topic (`STS_AUDIT_TOPIC_ARN`).
   */
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(event: AuditEvent): Promise<void> {
    const { type, subject, message } = auditMessage(event);
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subject,
        // `default` (the JSON event) for every protocol, `email` (text) for e-mail subscriptions.
        MessageStructure: 'json',
        Message: message,
        // Lets subscribers filter (e.g. page only on account.locked) without parsing the body.
        MessageAttributes: { event_type: { DataType: 'String', StringValue: type } },
      }),
    );
  }
}
