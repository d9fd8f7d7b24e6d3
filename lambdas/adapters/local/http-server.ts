/** The embedded broker's HTTP server: listening, closing, the endpoint to print, the Host values it answers. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { StartupError } from './startup-error.js';

/** The port is taken (or not ours to bind). */
export class PortUnavailableError extends StartupError {
  constructor(host: string, port: number, reason: string) {
    super('port_unavailable', `cannot listen on ${host}:${port} (${reason}) — pick another --port, or 0 for any`);
    this.name = 'PortUnavailableError';
  }
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** `[addr]` for an IPv6 literal, the name itself otherwise. */
function hostPart(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** A URL the CLI can call: a wildcard bind is reached on loopback, IPv6 literals need brackets. */
export function endpointFor(host: string, port: number): string {
  return `http://${hostPart(WILDCARDS.has(host) ? '127.0.0.1' : host)}:${port}`;
}

/**
 * The `Host` values the broker answers (`name:port`, and the bare name on port 80): the loopback names,
 * the configured `--host`, and for a wildcard bind this machine's own addresses. Any other name reaching
 * the port is a name someone pointed at it, e.g. a web page's own (DNS rebinding).
 */
export function allowedHosts(host: string, port: number): string[] {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  if (WILDCARDS.has(host)) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const { address } of addresses ?? []) names.add(hostPart(address));
    }
  } else {
    names.add(hostPart(host).toLowerCase());
  }
  const hosts = [...names].map((name) => `${name}:${port}`);
  return port === 80 ? [...hosts, ...names] : hosts;
}

/** Listens on `host:port` (0: any free port) and returns the port; PortUnavailableError if it cannot. */
export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolveListen, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(new PortUnavailableError(host, port, error.code ?? error.message));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolveListen();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Stops the server, dropping idle keep-alive sockets (polling CLIs) that would hold close() open. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
}
