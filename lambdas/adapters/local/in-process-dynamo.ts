/**
 * The embedded broker's own DynamoDB client hands each request to dynalite's thread (dynalite-worker.mjs)
 * as a message instead of writing it to the Unix socket and reading it back (issue 11 §5: the loopback HTTP
 * and the SigV4 hashing were over a third of the broker's CPU on a status read; dynalite's own work, a
 * quarter more, now runs beside the broker's event loop). Everything above the transport is the AWS
 * adapter's — the same DynamoDBClient, serializers, middleware and DynamoRequestStore; other processes
 * (`sts … --local`) still use the socket. dynalite checks the form of the Authorization header but no key,
 * so requests carry a well-formed header with a fixed signature rather than a computed one.
 */
import type { Worker } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoClientOptions } from '../aws/documents.js';

/** The subset of the SDK's HttpRequest the handler reads. */
interface SdkRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** What the worker answers a request with. */
interface Answer {
  kind: 'response';
  id: number;
  statusCode?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  error?: string;
}

function requestBody(body: unknown): string | Uint8Array | undefined {
  if (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array)
    return body ?? undefined;
  throw new Error('in-process DynamoDB: unexpected streaming request body');
}

/** Requests to dynalite's thread and their answers, matched by id. */
export class DynaliteChannel {
  private readonly pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private stopped: Error | undefined;

  constructor(private readonly worker: Worker) {}

  /** Called with each `response` message the worker posts. */
  answer(message: Answer): void {
    const waiter = this.pending.get(message.id);
    this.pending.delete(message.id);
    waiter?.resolve(message);
  }

  /** The worker has gone: every request in flight, and every later one, fails with `error`. */
  stop(error: Error): void {
    this.stopped ??= error;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }

  send(request: SdkRequest): Promise<Answer> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
    const message = {
      kind: 'request',
      id,
      method: request.method,
      path: request.path,
      headers,
      body: requestBody(request.body),
    };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(message);
    });
  }
}

/** An SDK request handler over the channel (no socket, no HTTP parsing). */
function channelHandler(channel: DynaliteChannel) {
  return {
    metadata: { handlerProtocol: 'in-process' },
    async handle(request: SdkRequest) {
      const answer = await channel.send(request);
      if (answer.error !== undefined) throw new Error(`in-process DynamoDB: ${answer.error}`);
      const body =
        typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : (answer.body ?? new Uint8Array());
      // A Uint8Array body: the SDK collects it as is, without a stream.
      return {
        response: { statusCode: answer.statusCode ?? 500, reason: undefined, headers: answer.headers ?? {}, body },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
}

/** A well-formed SigV4 header for dynalite, which validates its form and checks no signature. */
const FIXED_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=local/20000101/local/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0';

/** The broker's DynamoDB client on the dynalite thread behind `channel`. */
export function inProcessDynamoClient(channel: DynaliteChannel, region: string): DynamoDBClient {
  return new DynamoDBClient({
    ...dynamoClientOptions,
    endpoint: 'http://localhost',
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: channelHandler(channel) as never,
    signer: {
      sign: async (request: SdkRequest) => {
        request.headers.authorization = FIXED_AUTHORIZATION;
        request.headers['x-amz-date'] = '20000101T000000Z';
        return request;
      },
    } as never,
  });
}
