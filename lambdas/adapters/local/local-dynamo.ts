/**
 * The embedded broker's DynamoDB is dynalite on a Unix socket, so that only the broker's user can reach it
 * (a loopback TCP port is open to every local user, and dynalite checks no credentials). This file says
 * where that socket lives and is the one way to connect to it: the broker, `sts … --local`, tests, bench.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, type ClientRequestArgs } from 'node:http';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoClientOptions } from '../aws/documents.js';
import type { ServerInfo } from './server-info.js';
import { StartupError } from './startup-error.js';

/** The longest socket path every platform takes: `sun_path` is 108 bytes on Linux, 104 on macOS, NUL included. */
export const MAX_SOCKET_PATH_BYTES = 103;
const SOCKET_NAME = 'dynamodb.sock';

/** Where the socket goes, and how to tidy up after it. */
export interface SocketLocation {
  path: string;
  /** Removes the private temp directory made for the socket, if one was. */
  release(): Promise<void>;
}

/**
 * `<data-dir>/dynamodb.sock`, or, when that path is too long for a socket address, the same name in a fresh
 * private (0700) directory under the temp dir.
 */
export async function socketLocation(dataDir: string): Promise<SocketLocation> {
  const inDataDir = join(dataDir, SOCKET_NAME);
  if (Buffer.byteLength(inDataDir) <= MAX_SOCKET_PATH_BYTES) return { path: inDataDir, release: async () => {} };
  // mkdtemp adds six characters to the prefix.
  if (Buffer.byteLength(join(tmpdir(), 'stsftw-XXXXXX', SOCKET_NAME)) > MAX_SOCKET_PATH_BYTES) {
    throw new StartupError(
      'socket_path_too_long',
      `the data dir's path is too long for a Unix socket (at most ${MAX_SOCKET_PATH_BYTES} bytes), and so is TMPDIR's — pick a shorter --data-dir or set TMPDIR to a short directory such as /tmp`,
    );
  }
  const privateDir = await mkdtemp(join(tmpdir(), 'stsftw-')); // mkdtemp makes it 0700
  return { path: join(privateDir, SOCKET_NAME), release: () => rm(privateDir, { recursive: true, force: true }) };
}

/** An HTTP agent whose every connection goes to one Unix socket, whatever host the request names. */
class UnixSocketAgent extends Agent {
  constructor(private readonly socketPath: string) {
    super({ keepAlive: true });
  }

  override createConnection(_options: ClientRequestArgs, _callback?: unknown) {
    return createConnection(this.socketPath);
  }
}

/**
 * A DynamoDB client for the embedded broker's dynalite, over its socket. Requests are signed as against
 * AWS (dynalite wants a SigV4 header but checks no key); the endpoint only names the Host they carry.
 */
export function localDynamoClient(info: Pick<ServerInfo, 'dynamodbSocket' | 'region'>): DynamoDBClient {
  return new DynamoDBClient({
    ...dynamoClientOptions,
    endpoint: 'http://localhost',
    region: info.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: { httpAgent: new UnixSocketAgent(info.dynamodbSocket) },
  });
}
