/**
 * The embedded broker's own DynamoDB client hands each request straight to the dynalite server in the same
 * process instead of writing it to the Unix socket and reading it back (issue 11 §5: the loopback HTTP and
 * the SigV4 hashing were over a third of the broker's CPU on a status read). Everything above the transport
 * is the AWS adapter's — the same DynamoDBClient, serializers, middleware and DynamoRequestStore; other
 * processes (`sts … --local`) still use the socket. dynalite checks the form of the Authorization header but
 * no key, so requests carry a well-formed header with a fixed signature rather than a computed one.
 */
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoClientOptions } from '../aws/documents.js';

/** The subset of the SDK's HttpRequest the handler reads. */
interface SdkRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

type Listener = (req: EventEmitter, res: object) => void;

function bodyBytes(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new Error('in-process DynamoDB: unexpected streaming request body');
}

/** Runs `listener` (dynalite's request handler) on one request; resolves with status, headers and body. */
function dispatch(
  listener: Listener,
  request: SdkRequest,
): Promise<{ statusCode: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = Object.assign(new EventEmitter(), {
      method: request.method,
      url: request.path,
      headers: Object.fromEntries(
        Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]),
      ) as IncomingHttpHeaders,
    });
    const headers: Record<string, string> = {};
    const res = {
      statusCode: 200,
      contentType: undefined as string | undefined,
      setHeader(name: string, value: string | number) {
        headers[name.toLowerCase()] = String(value);
      },
      getHeader(name: string) {
        return headers[name.toLowerCase()];
      },
      end(chunk?: string | Buffer) {
        resolve({
          statusCode: res.statusCode,
          headers,
          body: chunk === undefined ? Buffer.alloc(0) : Buffer.from(chunk),
        });
      },
    };
    try {
      listener(req, res);
    } catch (e) {
      reject(e);
      return;
    }
    const body = bodyBytes(request.body);
    process.nextTick(() => {
      if (body.length) req.emit('data', body);
      req.emit('end');
    });
  });
}

/** An SDK request handler over dynalite's own listener (no socket, no HTTP parsing). */
function inProcessHandler(server: Server) {
  const listener = server.listeners('request')[0] as Listener | undefined;
  if (!listener) throw new Error('in-process DynamoDB: the dynalite server has no request listener');
  return {
    metadata: { handlerProtocol: 'in-process' },
    async handle(request: SdkRequest) {
      const { statusCode, headers, body } = await dispatch(listener, request);
      // A Uint8Array body: the SDK collects it as is, without a stream.
      return {
        response: {
          statusCode,
          reason: undefined,
          headers,
          body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
        },
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

/** The broker's DynamoDB client on the dynalite `server` running in this process. */
export function inProcessDynamoClient(server: Server, region: string): DynamoDBClient {
  return new DynamoDBClient({
    ...dynamoClientOptions,
    endpoint: 'http://localhost',
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: inProcessHandler(server) as never,
    signer: {
      sign: async (request: SdkRequest) => {
        request.headers.authorization = FIXED_AUTHORIZATION;
        request.headers['x-amz-date'] = '20000101T000000Z';
        return request;
      },
    } as never,
  });
}
