/**
 * `<data-dir>/server.json`: how `sts … --local` finds the embedded broker (endpoint, DynamoDB socket,
 * table names, key file). Written by the running broker, removed when it stops.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../../core/errors.js';

/** The `version` of the shape below. 2: DynamoDB on a Unix socket (`dynamodbSocket`); 1 had a TCP endpoint. */
export const SERVER_INFO_VERSION = 2;

/** The contents of `server.json` (docs/architecture.md, "Embedded"). */
export interface ServerInfo {
  version: typeof SERVER_INFO_VERSION;
  pid: number;
  endpoint: string;
  /** dynalite's Unix socket: in the data dir, or in a private temp dir when that path is too long for one. */
  dynamodbSocket: string;
  region: string;
  authTableName: string;
  requestsTableName: string;
  keyFile: string;
  auditLog: string;
  minter: 'local' | 'aws';
  approvalTimeoutSeconds: number;
  startedAt: string;
}

/** No live broker owns the data dir. */
export class NoBrokerError extends AppError {
  constructor(dataDir: string) {
    // 69 (EX_UNAVAILABLE), as every other "broker unreachable" of the CLI.
    super(
      'no_broker',
      503,
      69,
      `no broker is running in ${resolve(dataDir)} — start one with \`sts server --data-dir ${resolve(dataDir)}\``,
    );
    this.name = 'NoBrokerError';
  }
}

/** The broker that owns the data dir wrote server.json in another version's shape. */
export class OutdatedBrokerError extends AppError {
  constructor(dataDir: string, pid: number, version: unknown) {
    super(
      'outdated_broker',
      503,
      69,
      `the broker running in ${resolve(dataDir)} (pid ${pid}) was started by another version of stsftw (server.json version ${String(version)}) — stop it and start it again with \`sts server\``,
    );
    this.name = 'OutdatedBrokerError';
  }
}

/** What any version of server.json holds: enough to tell whether its broker still runs, and where. */
export interface ServerInfoFile {
  version: unknown;
  pid: number;
  endpoint?: string;
}

/** Path of the file in `dataDir`. */
export function serverInfoPath(dataDir: string): string {
  return join(dataDir, 'server.json');
}

/** True if a process with this pid exists (signal 0 only checks; EPERM means it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The file's contents whatever its version and the state of its pid; undefined if missing or unreadable as JSON. */
export async function readServerInfoFile(dataDir: string): Promise<ServerInfoFile | undefined> {
  let text: string;
  try {
    text = await readFile(serverInfoPath(dataDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const info = JSON.parse(text) as ServerInfoFile | null;
    return typeof info?.pid === 'number' ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The running broker's info; NoBrokerError if there is no file or its process is gone (a crash leaves one
 * behind), OutdatedBrokerError if a live broker wrote another version's shape.
 */
export async function readServerInfo(dataDir: string): Promise<ServerInfo> {
  const info = await readServerInfoFile(dataDir);
  if (!info || !isProcessAlive(info.pid)) throw new NoBrokerError(dataDir);
  if (info.version !== SERVER_INFO_VERSION) throw new OutdatedBrokerError(dataDir, info.pid, info.version);
  return info as ServerInfo;
}

/** Writes the file atomically (temp file + rename) with mode 0600: it names the key file. */
export async function writeServerInfo(dataDir: string, info: ServerInfo): Promise<void> {
  const target = serverInfoPath(dataDir);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, target);
}

/** Removes the file if it still belongs to `pid` (a newer broker's file is left alone). */
export async function removeServerInfo(dataDir: string, pid: number = process.pid): Promise<void> {
  const info = await readServerInfoFile(dataDir);
  if (info && info.pid !== pid) return;
  await rm(serverInfoPath(dataDir), { force: true });
}
