// The embedded broker's dynalite, in a worker thread of its own (dynalite.ts starts it): DynamoDB's work
// (request validation, LevelDB) runs beside the broker's event loop instead of on it. Plain JavaScript so
// that it runs as is, from the sources and from dist/ (the build copies it next to the module that starts
// it). It serves
// - the broker's own client: requests posted on `parentPort`, handed to dynalite's request listener
//   without a socket or HTTP parsing (answers posted back by id);
// - every other process (`sts … --local`, tests) on the Unix socket, 0600.
// Messages in: {kind: 'request', id, method, path, headers, body} and {kind: 'close'}. Out: {kind: 'ready'},
// {kind: 'failed', message, code}, {kind: 'response', id, statusCode, headers, body} or {kind: 'response',
// id, error}, {kind: 'closed', error}.
import { EventEmitter } from 'node:events';
import { chmod } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const { path, socketPath } = workerData;
// Tables become ACTIVE at once: nobody else shares this database, there is nothing to wait for.
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const listener = server.listeners('request')[0];

/** Runs one posted request through dynalite's listener with the little of req/res it uses. */
function dispatch(message) {
  const req = Object.assign(new EventEmitter(), {
    method: message.method,
    url: message.path,
    headers: message.headers,
  });
  const headers = {};
  let answered = false;
  const res = {
    statusCode: 200,
    setHeader(name, value) {
      headers[name.toLowerCase()] = String(value);
    },
    getHeader(name) {
      return headers[name.toLowerCase()];
    },
    end(chunk) {
      if (answered) return;
      answered = true;
      const body = chunk === undefined ? '' : chunk;
      parentPort.postMessage({ kind: 'response', id: message.id, statusCode: res.statusCode, headers, body });
    },
  };
  try {
    listener(req, res);
  } catch (error) {
    answered = true;
    parentPort.postMessage({ kind: 'response', id: message.id, error: String(error?.message ?? error) });
    return;
  }
  process.nextTick(() => {
    if (message.body?.length) req.emit('data', Buffer.from(message.body));
    req.emit('end');
  });
}

parentPort.on('message', (message) => {
  if (message.kind === 'request') {
    dispatch(message);
  } else if (message.kind === 'close') {
    // dynalite's close also closes the LevelDB store, releasing its lock.
    server.close((error) => {
      parentPort.postMessage({ kind: 'closed', error: error ? String(error.message) : undefined });
      parentPort.close();
    });
    // Clients keep sockets alive; without this, close waits for them to time out.
    server.closeAllConnections();
  }
});

server.once('error', (error) => {
  parentPort.postMessage({ kind: 'failed', message: String(error.message), code: error.code });
  parentPort.close();
});
server.listen(socketPath, () => {
  // The directory is private already; the socket says so too, whatever the umask was.
  chmod(socketPath, 0o600).then(
    () => parentPort.postMessage({ kind: 'ready' }),
    (error) => {
      parentPort.postMessage({ kind: 'failed', message: String(error.message), code: error.code });
      server.close(() => parentPort.close());
    },
  );
});
