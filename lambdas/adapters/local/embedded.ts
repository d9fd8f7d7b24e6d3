/**
 * The embedded broker (`sts server`, `npm start`): the deployed architecture in one process on loopback.
 * Same Hono app, same state machine definition, same DynamoDB adapters (on dynalite); only the KMS key,
 * SNS topic and (by default) STS are replaced by local stand-ins (their wiring: `local-broker.ts`). This
 * file is the lifecycle: the data dir, the database, the HTTP server, server.json, and closing them.
 */
import './polyfill.js';
import { createWriteStream } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from '../../api/app.js';
import { systemClock } from '../../core/ports.js';
import { ensureTables } from '../aws/tables.js';
import { makePrivate } from './data-dir.js';
import { startDynalite } from './dynalite.js';
import { allowedHosts, closeServer, endpointFor, listen } from './http-server.js';
import { createLocalBroker } from './local-broker.js';
import { socketLocation } from './local-dynamo.js';
import {
  isProcessAlive,
  readServerInfoFile,
  removeServerInfo,
  SERVER_INFO_VERSION,
  type ServerInfo,
  serverInfoPath,
  writeServerInfo,
} from './server-info.js';
import { BrokerRunningError } from './startup-error.js';

/** How to run the embedded broker (the `sts server` options). */
export interface EmbeddedOptions {
  /** Data directory: database, key, audit log, server.json. Created 0700 if missing, made private if not. */
  dataDir: string;
  /** HTTP port; 0 picks a free one (see `info.endpoint`). */
  port: number;
  /** How long a request waits for its approver. */
  approvalTimeoutSeconds: number;
  /** `local`: fake credentials marked as local; `aws`: real STS with this process's AWS credentials. */
  minter: 'local' | 'aws';
  /** Interface to listen on (default loopback). */
  host?: string;
  /** Structured log lines (requests, errors, lifecycle). Default: JSON lines in `<data-dir>/server.log`. */
  log?: (line: object) => void;
  /** Human lines: the audit trail and notifications as they happen. Default: stdout. */
  print?: (line: string) => void;
  /** `--notify-url`: POST each approval notification there as `{text, event}` (Slack/Mattermost webhooks). */
  notifyUrl?: string;
}

/** A running embedded broker. */
export interface EmbeddedBroker {
  /** What was written to server.json. */
  info: ServerInfo;
  /** Stops HTTP, aborts running executions, closes the database, removes server.json. Idempotent. */
  close(): Promise<void>;
  /** How many long-polls (`GET /v1/requests/{id}?wait=…`) are waiting right now. */
  waiting(): number;
}

export { PortUnavailableError } from './http-server.js';
export { BrokerRunningError, StartupError } from './startup-error.js';

const TABLES = { authTableName: 'stsftw-auth', requestsTableName: 'stsftw-requests' };
const REGION = 'local';

/**
 * Starts the embedded broker and returns once it serves. Refuses a data dir another live broker owns.
 * Requests a previous run left in flight are closed as FAILED (`broker_restarted`) before serving.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedBroker> {
  const dataDir = resolve(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  // Before anything is read or written there: a dir others can read is tightened, another user's refused.
  await makePrivate(dataDir);

  const previous = await readServerInfoFile(dataDir);
  if (previous && isProcessAlive(previous.pid)) {
    throw new BrokerRunningError(
      `a broker is already running in ${dataDir} (pid ${previous.pid}, ${previous.endpoint}) — use it, stop it, or pick another --data-dir`,
    );
  }
  const clock = systemClock;

  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanUp = async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch {
        // Best effort: one failing step must not leave the others (and the database lock) behind.
      }
    }
    cleanups.length = 0;
  };

  try {
    let log = options.log;
    if (!log) {
      const stream = createWriteStream(join(dataDir, 'server.log'), { flags: 'a', mode: 0o600 });
      cleanups.push(() => new Promise<void>((done) => stream.end(done)));
      log = (line) => {
        // Late lines (a request finishing during shutdown) are dropped rather than written after end.
        if (!stream.writableEnded) stream.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
      };
    }

    // The database is on a Unix socket whatever `host` is: only this user's processes can reach it.
    const socket = await socketLocation(dataDir);
    cleanups.push(() => socket.release());
    const dynalite = await startDynalite({ path: join(dataDir, 'dynamodb'), socketPath: socket.path });
    cleanups.push(() => dynalite.close());
    // The broker's own calls skip the socket (in-process-dynamo.ts); other processes use it.
    const dynamodb = dynalite.client(REGION);
    cleanups.push(() => dynamodb.destroy());
    await ensureTables(dynamodb, TABLES, { pollIntervalMs: 50 });

    let publicUrl: string | undefined;
    const keyFile = join(dataDir, 'local.key');
    const auditLog = join(dataDir, 'audit.log');
    const { broker, workflow, changes } = await createLocalBroker({
      dynamodb,
      tables: TABLES,
      keyFile,
      auditLog,
      approvalTimeoutSeconds: options.approvalTimeoutSeconds,
      minter: options.minter,
      clock,
      log,
      print: options.print,
      notifyUrl: options.notifyUrl,
      // Known once the server listens; requests arrive only after that.
      publicUrl: () => publicUrl,
    });
    // Runs before the database closes: aborted executions may still be writing.
    cleanups.push(() => workflow.close());

    // The app is built once the port is known: it answers only Host values naming this broker.
    let app: ReturnType<typeof createApp> | undefined;
    const server = createAdaptorServer({
      fetch: (request, env) => (app ? app.fetch(request, env) : new Response(null, { status: 503 })),
      hostname: host,
    }) as Server;
    const port = await listen(server, host, options.port);
    app = createApp({ broker, log, allowedHosts: allowedHosts(host, port) });
    cleanups.push(() => closeServer(server));

    const info: ServerInfo = {
      version: SERVER_INFO_VERSION,
      pid: process.pid,
      endpoint: endpointFor(host, port),
      dynamodbSocket: socket.path,
      region: REGION,
      ...TABLES,
      keyFile,
      auditLog,
      minter: options.minter,
      approvalTimeoutSeconds: options.approvalTimeoutSeconds,
      startedAt: clock.now().toISOString(),
    };
    publicUrl = info.endpoint;
    await writeServerInfo(dataDir, info);
    // Removed first on close: from then on `sts --local` says "no broker" instead of failing to connect.
    cleanups.push(() => removeServerInfo(dataDir));
    log({
      msg: 'broker started',
      endpoint: info.endpoint,
      dataDir,
      minter: options.minter,
      serverInfo: serverInfoPath(dataDir),
    });

    let closing: Promise<void> | undefined;
    return {
      info,
      waiting: () => changes.waiting(),
      close() {
        closing ??= (async () => {
          log({ msg: 'broker stopping' });
          await cleanUp();
        })();
        return closing;
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
