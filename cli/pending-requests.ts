/**
 * Private keys of requests still in flight, so `sts wait <id>` can open the credentials later (after
 * `--no-wait` or Ctrl-C). One file per request, mode 0600, in `$XDG_STATE_HOME/stsftw/requests/`;
 * deleted once the credentials are opened or the request ended. What stays is a marker
 * `$XDG_STATE_HOME/stsftw/finished/<id>.json` (id, final status, time: no secret), so a later
 * `sts wait <id>` can say the request was already delivered; markers older than 30 days are pruned.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isRequestId } from '../lambdas/core/ids.js';
import { CliError } from './errors.js';
import { ensurePrivateDir, writePrivateFile } from './files.js';
import { stateDir } from './paths.js';

type Env = Record<string, string | undefined>;

/** What `sts wait` needs to finish a request. */
export interface PendingRequest {
  id: string;
  /** base64url raw X25519 private key of this request only. */
  privateKey: string;
  endpoint: string;
  issuer: string;
  accountName: string;
  role: string;
  verificationCode: string;
  decisionDeadline: string;
  /** How an approver reaches the same broker, e.g. `sts approve --local r_…`. */
  approveCommand: string;
  /** The broker's approval page for this request (absent in files written before there was one). */
  approveUrl?: string;
}

/** `<endpoint>/approve/<id>`, keeping any path prefix of the endpoint (an API Gateway stage). */
export function approvePageUrl(endpoint: string, id: string): string {
  return new URL(`approve/${id}`, endpoint.endsWith('/') ? endpoint : `${endpoint}/`).toString();
}

function requestsDir(env: Env): string {
  return join(stateDir(env), 'requests');
}

function checkedId(id: string): string {
  // The id becomes a file name: only the broker's id shape may pass.
  if (!isRequestId(id))
    throw new CliError(`"${id}" is not a request id (they look like r_ followed by 26 letters and digits).`);
  return id;
}

/** Path of the key file of request `id`. */
export function pendingPath(env: Env, id: string): string {
  return join(requestsDir(env), `${checkedId(id)}.json`);
}

/** Saves the key file (mode 0600) before any polling, so an interrupted wait can resume. */
export function savePending(env: Env, pending: PendingRequest): string {
  const path = pendingPath(env, pending.id);
  ensurePrivateDir(requestsDir(env));
  writePrivateFile(path, `${JSON.stringify(pending)}\n`);
  return path;
}

/** The saved key file of request `id`, or undefined when this machine has none. */
export function loadPending(env: Env, id: string): PendingRequest | undefined {
  let text: string;
  try {
    text = readFileSync(pendingPath(env, id), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const value = JSON.parse(text) as PendingRequest;
    if (value.id === id && typeof value.privateKey === 'string' && typeof value.endpoint === 'string') return value;
  } catch {
    // fall through
  }
  throw new CliError(`The key file ${pendingPath(env, id)} is damaged: make a new request with \`sts request\`.`);
}

/** A request this machine finished: its final status (MINTED = credentials delivered here) and when. */
export interface FinishedRequest {
  id: string;
  status: string;
  at: string;
}

/** Markers older than this are removed when a new one is written. */
const MARKER_DAYS = 30;

function finishedDir(env: Env): string {
  return join(stateDir(env), 'finished');
}

function markerPath(env: Env, id: string): string {
  return join(finishedDir(env), `${checkedId(id)}.json`);
}

/**
 * Forgets request `id` (its private key is of no use once the request ended). Given the final `status`,
 * leaves a marker saying so, without any secret.
 */
export function deletePending(env: Env, id: string, status?: string, now = Date.now()): void {
  if (status) {
    try {
      const marker: FinishedRequest = { id, status, at: new Date(now).toISOString() };
      ensurePrivateDir(finishedDir(env));
      writePrivateFile(markerPath(env, id), `${JSON.stringify(marker)}\n`);
      pruneMarkers(env, now);
    } catch {
      // Only a nicer sentence for a later `sts wait`: never a reason to fail a delivery.
    }
  }
  rmSync(pendingPath(env, id), { force: true });
}

/** The marker of request `id`, or undefined when this machine did not finish it (or forgot). */
export function loadFinished(env: Env, id: string): FinishedRequest | undefined {
  try {
    const value = JSON.parse(readFileSync(markerPath(env, id), 'utf8')) as FinishedRequest;
    return value.id === id && typeof value.status === 'string' && typeof value.at === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function pruneMarkers(env: Env, now: number): void {
  const dir = finishedDir(env);
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    const path = join(dir, name);
    if (now - statSync(path).mtimeMs > MARKER_DAYS * 86_400_000) rmSync(path, { force: true });
  }
}

/** The ids of the requests waiting on this machine (their key files), for shell completion. */
export function listPendingIds(env: Env): string[] {
  try {
    return readdirSync(requestsDir(env))
      .filter((name) => name.endsWith('.json') && isRequestId(name.slice(0, -5)))
      .map((name) => name.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}
