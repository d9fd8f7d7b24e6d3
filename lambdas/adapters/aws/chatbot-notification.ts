/**
 * A notification in the shape Amazon Q Developer in chat applications (formerly AWS Chatbot) renders as a
 * custom notification in Slack or Microsoft Teams: `{"version": "1.0", "source": "custom", "content": …}`.
 * Chatbot drops any other message without a word, so the approvals topic publishes this as the body of its
 * `https` protocol, the one a Chatbot channel subscribes with (docs/notifications.md).
 */
import { type Notification, notificationText } from '../../core/notification.js';

/**
 * `text` safe for chat markdown: `&`, `<` and `>` as entities, so a reason such as `<!channel>` pings nobody
 * and `<https://evil|here>` is no link (Slack's escaping rules; the chat client shows the characters).
 */
export function chatEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The Chatbot custom notification for `n`, as JSON text; `title` is the message's Subject. */
export function chatbotNotification(n: Notification, title: string): string {
  return JSON.stringify({
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title: chatEscape(title),
      description: chatEscape(notificationText(n)),
    },
    // One thread per request in channels that thread updates: the wait and how it ended stay together.
    metadata: { threadId: n.requestId, summary: chatEscape(title), eventType: n.type },
  });
}
