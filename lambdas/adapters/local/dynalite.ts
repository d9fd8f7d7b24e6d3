/**
 * dynalite (DynamoDB on LevelDB) as the embedded broker's database, persisted in `<data-dir>/dynamodb`,
 * served on a Unix socket (0600) rather than a TCP port: see local-dynamo.ts for why, and for the client.
 * It runs in a worker thread (dynalite-worker.mjs), so that its work does not queue behind the broker's
 * requests on one event loop; the broker's own client reaches it by message (in-process-dynamo.ts).
 */
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynaliteChannel, inProcessDynamoClient } from './in-process-dynamo.js';
import { BrokerRunningError } from './startup-error.js';

/** A running dynalite. */
export interface DynaliteHandle {
  /** The Unix socket it serves on. */
  socketPath: string;
  /** A client of this process that skips the socket (in-process-dynamo.ts). */
  client(region: string): DynamoDBClient;
  /** Stops the server (which removes the socket), closes the LevelDB store (releasing its lock), ends the thread. */
  close(): Promise<void>;
}

/** Where the worker is: beside this module, in the sources and in dist/ (scripts/build.mjs copies it). */
const WORKER = new URL('./dynalite-worker.mjs', import.meta.url);

/** An error the worker reported, with the code of the one it caught (EADDRINUSE, EACCES, …). */
function workerError(message: { message?: string; code?: string }): Error {
  return Object.assign(new Error(message.message ?? 'the database thread failed'), { code: message.code });
}

/** True if something accepts connections on the socket; false for a file a dead process left behind. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolveProbe) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolveProbe(true);
    });
    probe.once('error', () => resolveProbe(false));
  });
}

/**
 * Starts dynalite on the Unix socket `socketPath`, storing its data under `path` (in memory without one).
 * A socket file nothing answers on (a killed broker's) is replaced; one a live process serves is refused.
 */
export async function startDynalite(options: { path?: string; socketPath: string }): Promise<DynaliteHandle> {
  const { socketPath } = options;
  // Checked before the store opens, so that a refusal leaves no LevelDB lock behind.
  if (await answers(socketPath)) {
    throw new BrokerRunningError(
      `${socketPath} is in use by another process — is another broker running on this data dir? Stop it, or pick another --data-dir`,
    );
  }
  await rm(socketPath, { force: true });
  const worker = new Worker(WORKER, { workerData: { path: options.path, socketPath } });
  const channel = new DynaliteChannel(worker);
  let onClosed: ((error?: string) => void) | undefined;
  let gone = false;
  const exited = new Promise<void>((resolveExit) =>
    worker.once('exit', () => {
      gone = true;
      resolveExit();
    }),
  );
  // Ready, or the reason it is not: a failure the thread reported (it then ends), or the thread's own error.
  let failure: Error | undefined;
  await new Promise<void>((resolveReady, reject) => {
    worker.on('message', (message) => {
      if (message.kind === 'response') channel.answer(message);
      else if (message.kind === 'ready') resolveReady();
      else if (message.kind === 'failed') failure = workerError(message);
      else if (message.kind === 'closed') onClosed?.(message.error);
    });
    worker.once('error', (error) => {
      failure ??= error;
    });
    worker.once('exit', (code) => {
      const why = failure ? failure.message : `exit code ${code}`;
      channel.stop(new Error(`the embedded database's thread stopped (${why})`));
      reject(failure ?? new Error(`the embedded database's thread stopped (${why})`));
    });
  });
  let closing: Promise<void> | undefined;
  return {
    socketPath,
    client: (region) => inProcessDynamoClient(channel, region),
    close: () => {
      closing ??= new Promise<void>((resolveClose, reject) => {
        // A thread that already stopped (its error was reported to the requests in flight) has nothing to close.
        if (gone) return resolveClose();
        exited.then(resolveClose);
        onClosed = (error) => {
          if (error) reject(new Error(error));
        };
        worker.postMessage({ kind: 'close' });
      });
      return closing;
    },
  };
}
