/**
 * The credential_process cache: credentials per (endpoint, issuer, account, role), reused until five
 * minutes before they expire. Like the AWS CLI's and aws-vault's caches it lives under the user's home,
 * but encrypted: AES-256-GCM with a random per-user key kept elsewhere (`$XDG_STATE_HOME/stsftw/cache.key`,
 * 0600), the entry's name as AAD. A copied or backed-up cache directory alone reveals nothing.
 * Only node:crypto and node:fs: this runs on the warm path before anything heavy is loaded.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from './files.js';
import { cacheDir, stateDir } from './paths.js';

/** node:crypto, loaded at the first use: `sts --help`, in the same bundle file, never loads it. */
const crypto = () => process.getBuiltinModule('node:crypto');

type Env = Record<string, string | undefined>;

/**
 * Which request credentials came from: kept with them in the cache (for `sts whoami`) and given to the
 * command of `sts exec`. No secret. Entries cached before issue 12 have none.
 */
export interface CredentialOrigin {
  requestId: string;
  /** The approvals counted, in order (empty when the role needed none). */
  approvers: string[];
}

/** Credentials as minted (the sealed plaintext), and where they came from when this CLI obtained them. */
export interface CachedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
  origin?: CredentialOrigin;
}

/** What the cached credentials are for. */
export interface CacheKey {
  endpoint: string;
  issuer: string;
  accountName: string;
  role: string;
}

/** Cached credentials are used only while they stay valid at least this long. */
export const CACHE_MARGIN_MS = 5 * 60_000;

const KEY_BYTES = 32;

function entryName(key: CacheKey): string {
  return crypto()
    .createHash('sha256')
    .update(JSON.stringify([key.endpoint, key.issuer, key.accountName, key.role]))
    .digest('hex');
}

function entryPath(env: Env, name: string): string {
  return join(cacheDir(env), 'credentials', `${name}.json`);
}

function keyPath(env: Env): string {
  return join(stateDir(env), 'cache.key');
}

function readKey(env: Env): Buffer | undefined {
  try {
    const key = readFileSync(keyPath(env));
    return key.length === KEY_BYTES ? key : undefined;
  } catch {
    return undefined;
  }
}

function ensureKey(env: Env): Buffer {
  const existing = readKey(env);
  if (existing) return existing;
  const key = crypto().randomBytes(KEY_BYTES);
  ensurePrivateDir(stateDir(env));
  writePrivateFile(keyPath(env), key);
  return key;
}

/** True when `credentials` stay valid for more than the margin after `now`. */
export function freshEnough(credentials: { Expiration: string }, now: number): boolean {
  const expires = Date.parse(credentials.Expiration);
  return Number.isFinite(expires) && expires - CACHE_MARGIN_MS > now;
}

/** The entry of `key` decrypted; undefined when there is none, 'unreadable' when it does not open. */
function openEntry(env: Env, key: CacheKey): CachedCredentials | 'unreadable' | undefined {
  const secret = readKey(env);
  if (!secret) return undefined;
  const name = entryName(key);
  let entry: { v: number; iv: string; tag: string; data: string };
  try {
    entry = JSON.parse(readFileSync(entryPath(env, name), 'utf8'));
  } catch {
    return undefined;
  }
  try {
    const decipher = crypto().createDecipheriv('aes-256-gcm', secret, Buffer.from(entry.iv, 'base64'));
    decipher.setAAD(Buffer.from(name));
    decipher.setAuthTag(Buffer.from(entry.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(entry.data, 'base64')), decipher.final()]);
    const credentials = JSON.parse(plain.toString('utf8')) as CachedCredentials;
    return typeof credentials?.Expiration === 'string' ? credentials : 'unreadable';
  } catch {
    return 'unreadable'; // tampered, from another key, or malformed
  }
}

/** Cached credentials for `key` that stay valid past the margin, else undefined (and stale entries go). */
export function readCachedCredentials(env: Env, key: CacheKey, now: number): CachedCredentials | undefined {
  const opened = openEntry(env, key);
  if (opened === undefined) return undefined;
  if (opened !== 'unreadable' && freshEnough(opened, now)) return opened;
  try {
    rmSync(entryPath(env, entryName(key)), { force: true });
  } catch {
    // a cache directory we cannot write to: still a miss, and the new entry's write will say why
  }
  return undefined;
}

/** The entry of `key` as stored, however close to expiry, without removing anything (`sts whoami`). */
export function peekCachedCredentials(env: Env, key: CacheKey): CachedCredentials | undefined {
  const opened = openEntry(env, key);
  return opened === 'unreadable' ? undefined : opened;
}

/** Stores `credentials` for `key`, encrypted, mode 0600. */
export function writeCachedCredentials(env: Env, key: CacheKey, credentials: CachedCredentials): void {
  const secret = ensureKey(env);
  const name = entryName(key);
  const iv = crypto().randomBytes(12);
  const cipher = crypto().createCipheriv('aes-256-gcm', secret, iv);
  cipher.setAAD(Buffer.from(name));
  const data = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
  const entry = {
    v: 1,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
  ensurePrivateDir(join(cacheDir(env), 'credentials'));
  writePrivateFile(entryPath(env, name), JSON.stringify(entry));
}

/** Forgets every cached credential and the cache key (`sts cache clear`); returns how many entries went. */
export function clearCachedCredentials(env: Env): number {
  const dir = join(cacheDir(env), 'credentials');
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(keyPath(env), { force: true });
  return names.length;
}
