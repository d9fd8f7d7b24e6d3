import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification } from '../../core/notification.js';
import type { Notifier } from '../../core/ports.js';
import { approvalMessage } from './approval-message.js';
import { awsErrorName } from './aws-errors.js';

/** Options of {@link SnsNotifier}. */
export interface SnsNotifierOptions {
  /** Longest wait for one notification, the SDK's retries included (default 5 s): it must not hold up a task. */
  timeoutMs?: number;
}

/**
 * A publish the approvals topic did not take. Its `name` is the SDK exception's (`ThrottlingException`,
 * `KMSAccessDeniedException`, `TimeoutError`…), so the warning the verify task logs says what went wrong;
 * the SDK's message is never copied (validation errors quote request values).
 */
export class NotifyFailedError extends Error {
  constructor(type: string, reason: string) {
    super(`The approvals topic did not take the ${type} notification (${reason}).`);
    this.name = reason;
  }
}

/**
 * Publishes notifications (issue 10) to the approvals topic: a Subject, per-protocol bodies and the
 * `approvers` attribute subscriptions filter on (approval-message.ts). Best-effort, unlike SnsAudit: the
 * SDK retries throttling and server errors (its standard mode, 3 attempts), then this throws and the verify
 * task logs it and goes on.
 */
export class SnsNotifier implements Notifier {
  /**
   * @param client an SNSClient created once per process (the audit sink's may be shared).
   * @param topicArn the approvals topic (`STS_APPROVALS_TOPIC_ARN`).
   */
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
    private readonly options: SnsNotifierOptions = {},
  ) {}

  async notify(notification: Notification): Promise<void> {
    const { subject, message, attributes } = approvalMessage(notification);
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: subject,
          MessageStructure: 'json',
          Message: message,
          MessageAttributes: attributes,
        }),
        { abortSignal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) },
      );
    } catch (error) {
      throw new NotifyFailedError(notification.type, awsErrorName(error));
    }
  }
}
