import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDynalite } from '../../../../lambdas/adapters/local/dynalite.js';
import {
  localDynamoClient,
  MAX_SOCKET_PATH_BYTES,
  socketLocation,
} from '../../../../lambdas/adapters/local/local-dynamo.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stsftw-socket-'));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

describe('socketLocation', () => {
  it('puts the socket in the data dir when its path fits in a socket address', async () => {
    const location = await socketLocation(dir);
    expect(location.path).toBe(join(dir, 'dynamodb.sock'));
    await location.release();
    expect((await lstat(dir)).isDirectory()).toBe(true);
  });

  it('falls back to a fresh private directory in the temp dir for a long data dir, removed on release', async () => {
    const longDir = join(dir, 'x'.repeat(120));
    const location = await socketLocation(longDir);
    expect(Buffer.byteLength(location.path)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    expect(location.path.startsWith(join(tmpdir(), 'stsftw-'))).toBe(true);
    expect(location.path.endsWith('/dynamodb.sock')).toBe(true);
    const own = await lstat(dirname(location.path));
    expect(own.mode & 0o777).toBe(0o700);
    await location.release();
    await expect(lstat(dirname(location.path))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('says what to do when even the temp dir is too long', async () => {
    const longTmp = join(dir, 't'.repeat(110));
    await mkdir(longTmp);
    vi.stubEnv('TMPDIR', longTmp);
    await expect(socketLocation(join(dir, 'y'.repeat(120)))).rejects.toThrow(
      /^the data dir's path is too long for a Unix socket \(at most 103 bytes\), and so is TMPDIR's — pick a shorter --data-dir or set TMPDIR to a short directory such as \/tmp$/,
    );
    expect(await readdir(longTmp)).toEqual([]);
  });
});

describe('localDynamoClient', () => {
  it('reaches dynalite over the socket with signed requests', async () => {
    const socketPath = join(dir, 'd.sock');
    const dynalite = await startDynalite({ socketPath });
    const client = localDynamoClient({ dynamodbSocket: socketPath, region: 'local' });
    const sent: Record<string, string>[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low' },
    );
    try {
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      // SigV4 as against AWS (dynalite rejects a request without it): the socket changes only the transport.
      expect(sent[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/local\/dynamodb\/aws4_request/);
      expect(sent[0].host).toBe('localhost');
    } finally {
      client.destroy();
      await dynalite.close();
    }
  });
});
