/**
 * The embedded broker's data is its user's alone: `sts server` (a child process, as users run it) on a data
 * dir others could read tightens it, serves DynamoDB on a Unix socket in it instead of a TCP port anyone on
 * the machine could reach, keeps what it writes afterwards private, and `sts … --local` works over that socket.
 */
import { chmod, lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmbedded } from '../../lambdas/adapters/local/embedded.js';
import { type BrokerProcess, enroll, runSts, startBroker } from '../support/broker-harness.js';

let dataDir: string;
let broker: BrokerProcess | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'stsftw-private-'));
});
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

/** Every entry under `dir` (itself included) with its permission bits and kind. */
async function modes(dir: string): Promise<{ path: string; mode: number; kind: string }[]> {
  const stats = await lstat(dir);
  const kind = stats.isDirectory() ? 'dir' : stats.isSocket() ? 'socket' : stats.isFile() ? 'file' : 'other';
  const out = [{ path: dir, mode: stats.mode & 0o777, kind }];
  if (stats.isDirectory()) for (const name of await readdir(dir)) out.push(...(await modes(join(dir, name))));
  return out;
}

/** Makes everything under `dir` readable by everyone: directories 0755, files 0644. */
async function loosen(dir: string): Promise<void> {
  for (const entry of await modes(dir)) await chmod(entry.path, entry.kind === 'dir' ? 0o755 : 0o644);
}

/** The TCP ports process `pid` listens on: its socket inodes matched against /proc/net/tcp{,6} LISTEN rows. */
async function tcpListenPorts(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of (await readFile(table, 'utf8')).trim().split('\n').slice(1)) {
      const [, local, , state, , , , , , inode] = row.trim().split(/\s+/);
      if (state === '0A' && inodes.has(inode)) ports.push(Number.parseInt(local.split(':')[1], 16));
    }
  }
  return ports.sort();
}

describe('sts server keeps its data private', () => {
  it('tightens a data dir others can read, serves DynamoDB on a 0600 socket, and keeps new files private', async () => {
    // A data dir that has been used (a real LevelDB in dynamodb/), then opened up to everyone.
    const earlier = await startEmbedded({
      dataDir,
      port: 0,
      approvalTimeoutSeconds: 900,
      minter: 'local',
      log: () => {},
      print: () => {},
    });
    await earlier.close();
    await loosen(dataDir);
    expect(await modes(dataDir)).toContainEqual(
      expect.objectContaining({ path: join(dataDir, 'dynamodb'), mode: 0o755 }),
    );

    broker = await startBroker({ dataDir, approvalTimeoutSeconds: 900 });
    const info = broker.info;
    expect(info).toMatchObject({ version: 2, dynamodbSocket: join(dataDir, 'dynamodb.sock') });
    expect(info).not.toHaveProperty('dynamodbEndpoint');

    // `--local` administration goes over the socket: writes, then reads back.
    await enroll(dataDir, 'acme', { accountName: 'alice', roles: ['Admin'] });
    const listed = await runSts(['list', '--local', '--data-dir', dataDir, '--issuer', 'acme', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('alice');

    // Nothing under the data dir is open to group or others: what was there, and what LevelDB wrote since.
    const entries = await modes(dataDir);
    expect(entries.filter((e) => e.path.startsWith(join(dataDir, 'dynamodb', ''))).length).toBeGreaterThan(3);
    expect(entries.filter((e) => (e.mode & 0o077) !== 0)).toEqual([]);
    expect(entries.filter((e) => e.kind === 'dir').map((e) => e.mode)).toEqual(
      entries.filter((e) => e.kind === 'dir').map(() => 0o700),
    );
    expect(entries).toContainEqual({ path: join(dataDir, 'dynamodb.sock'), mode: 0o600, kind: 'socket' });

    // The only TCP port the broker listens on is its API's.
    expect(await tcpListenPorts(broker.pid)).toEqual([Number(new URL(broker.endpoint).port)]);
  });
});
