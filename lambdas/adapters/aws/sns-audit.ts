import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AuditSink } from '../../core/ports.js';
import type { AuditEvent } from '../../core/types.js';

/**
 * The SNS subject for an event: `stsftw: <type>`. SNS wants printable ASCII, no line breaks, under 100
 * characters; anything else is replaced so a publish never fails on the subject alone.
 */
export function auditSubject(event: Pick<AuditEvent, 'type'>): string {
  return `stsftw: ${event.type}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 99);
}

/** Publishes audit events (lockouts; the state machine publishes the rest itself) to the audit topic. */
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
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Message: JSON.stringify(event),
        Subject: auditSubject(event),
        // Lets subscribers filter (e.g. page only on account.locked) without parsing the body.
        MessageAttributes: { event_type: { DataType: 'String', StringValue: event.type } },
      }),
    );
  }
}
