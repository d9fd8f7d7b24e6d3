/** A local HTTP endpoint standing in for a chat webhook: records each POST, answers with scripted statuses. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  contentType: string | undefined;
  body: any;
}

export interface WebhookReceiver {
  url: string;
  posts: ReceivedPost[];
  /** Resolves once `count` posts have arrived (a limit turns a hang into a failure). */
  waitFor(count: number, limitMs?: number): Promise<ReceivedPost[]>;
  close(): Promise<void>;
}

/** Starts the receiver; `statuses` are answered in order, then 200. */
export async function startWebhookReceiver(statuses: number[] = []): Promise<WebhookReceiver> {
  const posts: ReceivedPost[] = [];
  const script = [...statuses];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text
      }
      posts.push({ contentType: req.headers['content-type'], body });
      res.statusCode = script.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    posts,
    async waitFor(count, limitMs = 30_000) {
      const deadline = Date.now() + limitMs;
      while (posts.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${posts.length} of ${count} webhook posts arrived`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return posts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
