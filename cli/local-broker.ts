/**
 * Finding the embedded broker (`sts server`) of a data dir, for every `--local` command, with one sentence
 * when there is none (`noLocalBroker`). Commands that talk HTTP need only its endpoint, read as written:
 * a broker that crashed then answers "connection refused" with its address. Administrator commands open
 * its DynamoDB socket and key file, so they take the adapter's stricter `readServerInfo` (a live broker of
 * this version). Only node:fs is loaded up front: the warm credential_process path reads the endpoint.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerInfo } from '../lambdas/adapters/local/server-info.js';
import { noLocalBroker } from './sentences/settings.js';

/** The `endpoint` of `<dataDir>/server.json`; the no-broker sentence when the file is missing or unreadable. */
export function localEndpoint(dataDir: string): string {
  const file = join(dataDir, 'server.json');
  if (!existsSync(file)) throw noLocalBroker(dataDir);
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as { endpoint?: unknown };
    if (typeof info.endpoint === 'string' && info.endpoint) return info.endpoint;
  } catch {
    // fall through: a half-written or foreign file reads as "no broker here"
  }
  throw noLocalBroker(dataDir);
}

/** Everything `server.json` says about the live broker of `dataDir`; the no-broker sentence when none runs. */
export async function localBrokerInfo(dataDir: string): Promise<ServerInfo> {
  const [{ readServerInfo }, { isAppError }] = await Promise.all([
    import('../lambdas/adapters/local/server-info.js'),
    import('../lambdas/core/errors.js'),
  ]);
  try {
    return await readServerInfo(dataDir);
  } catch (error) {
    // The adapter's own sentence names `npx sts`, which outside the clone is someone else's package.
    if (isAppError(error) && error.code === 'no_broker') throw noLocalBroker(dataDir);
    throw error;
  }
}
