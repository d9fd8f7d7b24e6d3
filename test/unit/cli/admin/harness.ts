/**
 * Test harness for the administrator commands: an in-memory dynalite, a data dir holding a hand-written
 * server.json and a real local key, a scripted terminal, and `run(argv)` over in-memory streams.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { type AttributeValue, CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { Cli } from 'clipanion';
import dynalite from 'dynalite';
import * as OTPAuth from 'otpauth';
import { afterEach, beforeEach, vi } from 'vitest';
import { EnrollCommand } from '../../../../cli/commands/enroll.js';
import { ListCommand } from '../../../../cli/commands/list.js';
import { MigrateCommand } from '../../../../cli/commands/migrate.js';
import { RemoveCommand } from '../../../../cli/commands/remove.js';
import { UpdateAuthorizersCommand } from '../../../../cli/commands/update/authorizers.js';
import { UpdateDeviceCommand } from '../../../../cli/commands/update/device.js';
import { UpdateRolesCommand } from '../../../../cli/commands/update/roles.js';
import type { StsContext } from '../../../../cli/context.js';
import type { Terminal } from '../../../../cli/terminal.js';
import { authTableKeys, keySchemaOf } from '../../../../lambdas/adapters/aws/tables.js';
import { createLocalCipher } from '../../../../lambdas/adapters/local/local-cipher.js';
import type { SecretCipher } from '../../../../lambdas/core/ports.js';

// clipanion 3's ESM build imports a directory (`./platform`), which Node's ESM loader refuses; vitest
// externalises node_modules, so the commands get clipanion's CommonJS build here. (tsx and esbuild resolve
// the directory themselves, so `sts` itself is unaffected.) A `server.deps.inline` entry would also do.
vi.mock('clipanion', async () => await import('clipanion/lib/advanced/index.js'));

export const AUTH_TABLE = 'stsftw-auth';

/** The frozen time of the tests that type TOTP codes: 10 s into a time step. */
export const NOW = new Date('2030-01-01T00:00:10.000Z');

/** Freezes `Date` (only `Date`: timers keep running) at `now` for each test of the enclosing suite. */
export function freezeDate(now: Date = NOW): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/** A Cli with only the administrator commands. */
export function adminCli(): Cli<StsContext> {
  const cli = new Cli<StsContext>({ binaryName: 'sts' });
  for (const command of [
    EnrollCommand,
    ListCommand,
    RemoveCommand,
    MigrateCommand,
    UpdateRolesCommand,
    UpdateAuthorizersCommand,
    UpdateDeviceCommand,
  ]) {
    cli.register(command);
  }
  return cli;
}

/** A terminal whose answers come from `answer(question, transcript)`; records what was said. */
export class ScriptedTerminal implements Terminal {
  readonly said: string[] = [];
  readonly questions: string[] = [];
  constructor(
    private readonly answer: (question: string, transcript: string) => string = () => '',
    readonly interactive = true,
  ) {}
  async prompt(question: string): Promise<string> {
    this.questions.push(question);
    return this.answer(question, this.transcript);
  }
  say(text: string): void {
    this.said.push(text);
  }
  get transcript(): string {
    return this.said.join('');
  }
}

/** The otpauth URL a terminal transcript showed. */
export function shownUrl(transcript: string): string {
  const match = /otpauth:\/\/\S+/.exec(transcript);
  if (!match) throw new Error('no otpauth URL was shown');
  return match[0];
}

/** The code of `url` at `at`. */
export function codeAt(url: string, at: Date): string {
  return (OTPAuth.URI.parse(url) as OTPAuth.TOTP).generate({ timestamp: at.getTime() });
}

/**
 * Answers code prompts with the code of the previous step first, then the current one (two different steps
 * that the ±1 window accepts at the frozen `now`).
 */
export function twoStepTerminal(now: Date): ScriptedTerminal {
  let asked = 0;
  return new ScriptedTerminal((_question, transcript) => {
    const url = shownUrl(transcript);
    asked++;
    return codeAt(url, new Date(now.getTime() - (asked === 1 ? 30_000 : 0)));
  });
}

class Sink extends Writable {
  text = '';
  _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** Output of one run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `argv` with in-memory streams. */
export async function run(
  argv: string[],
  options: { env?: Record<string, string | undefined>; terminal?: Terminal; cli?: Cli<StsContext> } = {},
): Promise<RunResult> {
  const stdout = new Sink();
  const stderr = new Sink();
  const cli = options.cli ?? adminCli();
  const code = await cli.run(argv, {
    stdin: new PassThrough(),
    stdout,
    stderr,
    // A HOME that does not exist: the commands read the config-file profile, never the developer's.
    env: { HOME: join(tmpdir(), 'sts-admin-no-home'), ...options.env },
    colorDepth: 1,
    terminal: options.terminal ?? new ScriptedTerminal(() => '', false),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** An in-memory dynalite with an auth table, a data dir describing it, and helpers to look inside. */
export interface LocalBroker {
  endpoint: string;
  dataDir: string;
  keyFile: string;
  client: DynamoDBClient;
  cipher: SecretCipher;
  /** `--local --data-dir <dir>`. */
  localArgs: string[];
  createAuthTable(name?: string): Promise<void>;
  rawItem(issuer: string, accountName: string, table?: string): Promise<Record<string, AttributeValue> | undefined>;
  close(): Promise<void>;
}

/**
 * Starts dynalite (in memory) on a Unix socket in a data dir, as the embedded broker does, and writes
 * `<dataDir>/server.json` naming it. The same store also answers on a loopback TCP port (`endpoint`), which
 * the AWS-mode tests reach through AWS_ENDPOINT_URL_DYNAMODB.
 */
export async function startLocalBroker(): Promise<LocalBroker> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sts-admin-'));
  const socketPath = join(dataDir, 'dynamodb.sock');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const tcp = createServer(server.listeners('request')[0] as RequestListener);
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(tcp.address() as AddressInfo).port}`;
  const keyFile = join(dataDir, 'local.key');
  const cipher = await createLocalCipher(keyFile);
  await writeFile(
    join(dataDir, 'server.json'),
    JSON.stringify({
      version: 2,
      pid: process.pid, // a live process: readServerInfo refuses files left by a dead broker
      endpoint: 'http://127.0.0.1:1',
      dynamodbSocket: socketPath,
      region: 'local',
      authTableName: AUTH_TABLE,
      requestsTableName: 'stsftw-requests',
      keyFile,
      auditLog: join(dataDir, 'audit.log'),
      minter: 'local',
      approvalTimeoutSeconds: 900,
      startedAt: new Date().toISOString(),
    }),
  );
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const broker: LocalBroker = {
    endpoint,
    dataDir,
    keyFile,
    client,
    cipher,
    localArgs: ['--local', '--data-dir', dataDir],
    async createAuthTable(name = AUTH_TABLE) {
      await client.send(
        new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST', ...keySchemaOf(authTableKeys) }),
      );
    },
    async rawItem(issuer, accountName, table = AUTH_TABLE) {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: table,
          Key: { issuer: { S: issuer }, account_name: { S: accountName } },
          ConsistentRead: true,
        }),
      );
      return Item;
    },
    async close() {
      client.destroy();
      for (const listening of [tcp, server]) {
        listening.closeAllConnections();
        await new Promise<void>((resolve) => listening.close(() => resolve()));
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  await broker.createAuthTable();
  return broker;
}
