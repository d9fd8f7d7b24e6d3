/**
 * `--write-profile NAME`: puts credentials into the AWS shared credentials file (respecting
 * `AWS_SHARED_CREDENTIALS_FILE`), replacing only that profile's credential keys. Every other profile,
 * key and comment stays byte for byte. Written atomically, mode 0600.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CachedCredentials as Credentials } from './credential-cache.js';
import { ensurePrivateDir, writePrivateFile } from './files.js';
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

/** Returns `text` with profile `name` holding `values` (other lines untouched). */
export function setProfile(text: string, name: string, values: [string, string][]): string {
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text === '' ? [] : text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop(); // the final newline
  const start = lines.findIndex((line) => SECTION.exec(line)?.[1] === name);
  const wanted = new Map(values.map(([key, value]) => [key, value]));
  if (start === -1) {
    const block = [`[${name}]`, ...values.map(([key, value]) => `${key} = ${value}`)];
    const gap = lines.length > 0 && lines[lines.length - 1].trim() !== '' ? [''] : [];
    return [...lines, ...gap, ...block].join(newline) + newline;
  }
  let end = lines.findIndex((line, index) => index > start && SECTION.test(line));
  if (end === -1) end = lines.length;
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
 * Writes `credentials` as profile `name` of the shared credentials file.
 * @returns the file written.
 */
export function writeAwsProfile(env: Env, name: string, credentials: Credentials): string {
  let path = awsCredentialsFile(env);
  let text = '';
  try {
    path = realpathSync(path); // keep a symlinked credentials file a symlink
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    ensurePrivateDir(dirname(path));
  }
  writePrivateFile(path, setProfile(text, name, profileValues(credentials)));
  return path;
}
