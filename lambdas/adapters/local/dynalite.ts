/** dynalite (DynamoDB on LevelDB) as the embedded broker's database, persisted in `<data-dir>/dynamodb`. */
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/** A running dynalite. */
export interface DynaliteHandle {
  /** `http://127.0.0.1:PORT`. */
  endpoint: string;
  /** Stops the server and closes the LevelDB store (releasing its lock). */
  close(): Promise<void>;
}

/** Starts dynalite on `host` and a free port, storing its data under `path` (in memory without one). */
export async function startDynalite(options: { path?: string; host?: string } = {}): Promise<DynaliteHandle> {
  const host = options.host ?? '127.0.0.1';
  // Tables become ACTIVE at once: nobody else shares this database, there is nothing to wait for.
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.close((err?: Error) => (err ? reject(err) : resolveClose()));
        // Clients keep sockets alive; without this, close waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
