/**
 * The embedded broker's notifications (issue 10): each one is printed on the console and, with
 * `sts server --notify-url URL`, POSTed as `{"text": <one paragraph>, "event": <the notification>}` —
 * what a Slack or Mattermost incoming webhook accepts as is. Best-effort: a few tries, then an error the
 * caller logs (core's notifyBestEffort); it never holds up a request for long.
 */
import { type Notification, notificationText } from '../../core/notification.js';
import type { Notifier } from '../../core/ports.js';

/** Options of {@link LocalNotifier}; the defaults suit `sts server`, tests shorten the waits. */
export interface LocalNotifierOptions {
  /** Where to POST each notification (http or https); none: console only. */
  url?: string;
  /** The console line (default: stdout). */
  print?: (line: string) => void;
  /** Tries per notification (default 3). */
  attempts?: number;
  /** Pause before the second try, doubled after (default 500 ms). */
  retryDelayMs?: number;
  /** Longest wait for one POST (default 5 s). */
  timeoutMs?: number;
}

/** A webhook that answered with an error status or could not be reached; names no secret. */
export class WebhookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookError';
  }
}

/** Checks a `--notify-url`: an absolute http(s) URL. @returns it, normalised. */
export function parseNotifyUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class LocalNotifier implements Notifier {
  private readonly print: (line: string) => void;
  constructor(private readonly options: LocalNotifierOptions = {}) {
    this.print = options.print ?? ((line) => process.stdout.write(`${line}\n`));
  }

  async notify(notification: Notification): Promise<void> {
    const text = notificationText(notification);
    this.print(`notify: ${text}`);
    const { url } = this.options;
    if (!url) return;
    const body = JSON.stringify({ text, event: notification });
    const attempts = this.options.attempts ?? 3;
    let delay = this.options.retryDelayMs ?? 500;
    let last = 'no attempt';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        });
        await res.body?.cancel();
        if (res.ok) return;
        last = `HTTP ${res.status}`;
        // A client error will not heal by repeating the same body.
        if (res.status < 500 && res.status !== 429) break;
      } catch (e) {
        last = (e as Error).name;
      }
      if (attempt < attempts) {
        await sleep(delay);
        delay *= 2;
      }
    }
    throw new WebhookError(`The notification webhook did not accept ${notification.type} (${last}).`);
  }
}
