/**
 * `--write-profile NAME`: puts credentials into the AWS shared credentials file (respecting
 * `AWS_SHARED_CREDENTIALS_FILE`), replacing only that profile's credential keys. Every other profile,
 * key and comment stays byte for byte. Written atomically, mode 0600. The INI editor here also writes
 * `~/.aws/config` (cli/aws-config.ts).
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CachedCredentials as Credentials } from './credential-cache.js';
import { ensurePrivateDir, writeFileAtomic } from './files.js';
import { awsCredentialsFile } from './paths.js';

type Env = Record<string, string | undefined>;

/** Profile names `--write-profile` accepts (what the AWS CLI handles without quoting). */
export const PROFILE_NAME = /^[A-Za-z0-9_.@+=,:/-]{1,64}$/;

/** The keys written into the profile, in order. `x_security_token_expires` is the community convention. */
function profileValues(credentials: Credentials): [string, string][] {
  return [
    ['aws_access_key_id', credentials.AccessKeyId],
    ['aws_secret_access_key', credentials.SecretAccessKey],
    ['aws_session_token', credentials.SessionToken],
    ['x_security_token_expires', credentials.Expiration],
  ];
}

const SECTION = /^\s*\[\s*([^\]]*?)\s*\]\s*(?:[#;].*)?$/;
const KEY = /^\s*([A-Za-z0-9_.-]+)\s*=/;

/** The file's lines without the final newline, and the newline it uses. */
function splitLines(text: string): { lines: string[]; newline: string } {
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text === '' ? [] : text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop(); // the final newline
  return { lines, newline };
}

/** Where section `name` (e.g. `work` or `profile work`; inner spaces count as one) begins and ends. */
function findSection(lines: string[], name: string): { start: number; end: number } | undefined {
  const start = lines.findIndex((line) => SECTION.exec(line)?.[1].replace(/\s+/g, ' ') === name);
  if (start === -1) return undefined;
  const end = lines.findIndex((line, index) => index > start && SECTION.test(line));
  return { start, end: end === -1 ? lines.length : end };
}

/** Returns `text` with section `name` holding `values` (other lines untouched). */
export function setProfile(text: string, name: string, values: [string, string][]): string {
  const { lines, newline } = splitLines(text);
  const found = findSection(lines, name);
  const wanted = new Map(values.map(([key, value]) => [key, value]));
  if (!found) {
    const block = [`[${name}]`, ...values.map(([key, value]) => `${key} = ${value}`)];
    const gap = lines.length > 0 && lines[lines.length - 1].trim() !== '' ? [''] : [];
    return [...lines, ...gap, ...block].join(newline) + newline;
  }
  const { start, end } = found;
  const body: string[] = [];
  const written = new Set<string>();
  for (const line of lines.slice(start + 1, end)) {
    const key = KEY.exec(line)?.[1]?.toLowerCase();
    if (key !== undefined && wanted.has(key)) {
      if (!written.has(key)) body.push(`${key} = ${wanted.get(key)}`); // later duplicates dropped
      written.add(key);
    } else {
      body.push(line);
    }
  }
  // Missing keys go after the profile's last non-blank line, before the blank lines that separate profiles.
  let insertAt = body.length;
  while (insertAt > 0 && body[insertAt - 1].trim() === '') insertAt--;
  const missing = values.filter(([key]) => !written.has(key)).map(([key, value]) => `${key} = ${value}`);
  body.splice(insertAt, 0, ...missing);
  return [...lines.slice(0, start + 1), ...body, ...lines.slice(end)].join(newline) + newline;
}

/**
 * Returns `text` without section `name` (its header down to the next section; the comments above it may
 * belong to the section before, so they stay), or undefined when there is no such section.
 */
export function removeProfile(text: string, name: string): string | undefined {
  const { lines, newline } = splitLines(text);
  const found = findSection(lines, name);
  if (!found) return undefined;
  let { start } = found;
  // The last section goes with the blank lines that separated it from the one before.
  if (found.end === lines.length) while (start > 0 && lines[start - 1].trim() === '') start--;
  const kept = [...lines.slice(0, start), ...lines.slice(found.end)];
  return kept.length === 0 ? '' : kept.join(newline) + newline;
}

/**
 * Rewrites the INI file at `path` with `edit` (given '' when there is no file), atomically, following a
 * symlink. `mode` 'private' makes it 0600; 'keep' keeps an existing file's mode (a new file gets 0600).
 * An `edit` that answers undefined leaves the file alone.
 * @returns the file's real path, and whether it was written.
 */
export function editIniFile(
  path: string,
  edit: (text: string) => string | undefined,
  mode: 'private' | 'keep',
): { path: string; written: boolean } {
  let text = '';
  let fileMode = 0o600;
  try {
    path = realpathSync(path); // keep a symlinked file a symlink
    text = readFileSync(path, 'utf8');
    if (mode === 'keep') fileMode = statSync(path).mode & 0o7777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const edited = edit(text);
  if (edited === undefined) return { path, written: false };
  ensurePrivateDir(dirname(path));
  writeFileAtomic(path, edited, fileMode);
  return { path, written: true };
}

/**
 * Writes `credentials` as profile `name` of the shared credentials file.
 * @returns the file written.
 */
export function writeAwsProfile(env: Env, name: string, credentials: Credentials): string {
  return editIniFile(awsCredentialsFile(env), (text) => setProfile(text, name, profileValues(credentials)), 'private')
    .path;
}
