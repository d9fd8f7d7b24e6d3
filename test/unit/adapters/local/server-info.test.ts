import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isProcessAlive,
  NoBrokerError,
  OutdatedBrokerError,
  readServerInfo,
  removeServerInfo,
  type ServerInfo,
  serverInfoPath,
  writeServerInfo,
} from '../../../../lambdas/adapters/local/server-info.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stsftw-info-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function info(pid = process.pid): ServerInfo {
  return {
    version: 2,
    pid,
    endpoint: 'http://127.0.0.1:8787',
    dynamodbSocket: join(dir, 'dynamodb.sock'),
    region: 'local',
    authTableName: 'stsftw-auth',
    requestsTableName: 'stsftw-requests',
    keyFile: join(dir, 'local.key'),
    auditLog: join(dir, 'audit.log'),
    minter: 'local',
    approvalTimeoutSeconds: 900,
    startedAt: '2030-01-01T00:00:00.000Z',
  };
}

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('server info', () => {
  it('writes server.json with mode 0600 and reads it back while the pid lives', async () => {
    await writeServerInfo(dir, info());
    expect((await stat(serverInfoPath(dir))).mode & 0o777).toBe(0o600);
    expect(await readServerInfo(dir)).toEqual(info());
  });

  it('says how to start a broker when there is none', async () => {
    const error = await readServerInfo(dir).catch((e) => e);
    expect(error).toBeInstanceOf(NoBrokerError);
    expect(error.message).toBe(`no broker is running in ${dir} — start one with \`sts server --data-dir ${dir}\``);
  });

  it('treats a file left by a dead process as no broker', async () => {
    await writeServerInfo(dir, info(deadPid()));
    await expect(readServerInfo(dir)).rejects.toBeInstanceOf(NoBrokerError);
  });

  it('treats an unreadable file as no broker', async () => {
    await writeFile(serverInfoPath(dir), '{ not json');
    await expect(readServerInfo(dir)).rejects.toBeInstanceOf(NoBrokerError);
  });

  it('says to restart a live broker whose server.json is of an older version', async () => {
    // What stsftw before server.json version 2 wrote: DynamoDB on a TCP port.
    const { dynamodbSocket: _, ...rest } = info();
    await writeFile(
      serverInfoPath(dir),
      JSON.stringify({ ...rest, version: 1, dynamodbEndpoint: 'http://127.0.0.1:9000' }),
    );
    const error = await readServerInfo(dir).catch((e) => e);
    expect(error).toBeInstanceOf(OutdatedBrokerError);
    expect(error).toMatchObject({ exitCode: 69 });
    expect(error.message).toBe(
      `the broker running in ${dir} (pid ${process.pid}) was started by another version of stsftw (server.json version 1) — stop it and start it again with \`sts server\``,
    );
  });

  it('removes only its own file', async () => {
    await writeServerInfo(dir, info(process.pid + 1));
    await removeServerInfo(dir);
    expect(JSON.parse(await readFile(serverInfoPath(dir), 'utf8')).pid).toBe(process.pid + 1);
    await writeServerInfo(dir, info());
    await removeServerInfo(dir);
    await expect(stat(serverInfoPath(dir))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('checks processes', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(deadPid())).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
  });
});
