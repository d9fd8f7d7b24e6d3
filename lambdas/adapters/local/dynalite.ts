/**
 * dynalite (DynamoDB on LevelDB) as the embedded broker's database, persisted in `<data-dir>/dynamodb`,
 * served on a Unix socket (0600) rather than a TCP port: see local-dynamo.ts for why, and for the client.
 */
import { chmod, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import dynalite from 'dynalite';
import { BrokerRunningError } from './startup-error.js';

/** A running dynalite. */
export interface DynaliteHandle {
  /** The Unix socket it serves on. */
  socketPath: string;
  /** The server itself, for the broker's in-process client (in-process-dynamo.ts). */
  server: Server;
  /** Stops the server (which removes the socket) and closes the LevelDB store (releasing its lock). */
  close(): Promise<void>;
}

function listenOn(server: Server, socketPath: string): Promise<void> {
  return new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
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
  // Tables become ACTIVE at once: nobody else shares this database, there is nothing to wait for.
  const server: Server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await listenOn(server, socketPath);
  // The directory is private already; the socket says so too, whatever the umask was.
  await chmod(socketPath, 0o600);
  return {
    socketPath,
    server,
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.close((err?: Error) => (err ? reject(err) : resolveClose()));
        // Clients keep sockets alive; without this, close waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
