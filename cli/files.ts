/** Small file helpers: private directories and atomic private writes (temp file + rename, mode 0600). */
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Creates `dir` (and parents) readable only by the user. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Writes `data` to `path` atomically with mode 0600: a reader sees the old or the new file, never half
 * of one, and the content is never readable by others, not even for a moment.
 */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  writeFileAtomic(path, data, 0o600);
}

/**
 * Writes `data` to `path` atomically (temp file + rename) with `mode`: the temp file is 0600 until it is
 * complete, then takes `mode`.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): void {
  const temp = join(
    dirname(path),
    `.${basename(path)}.${process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    writeFileSync(temp, data, { mode: 0o600, flag: 'wx' });
    chmodSync(temp, mode); // the umask must not decide the mode
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
