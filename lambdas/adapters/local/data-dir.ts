/**
 * The embedded broker's data dir holds its database, its key and its logs: it must be its user's alone.
 * An existing dir that others could read is tightened (0700 directories, 0600 files, recursively);
 * one that holds anything of another user's is refused, since that user could change it under us.
 */
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StartupError } from './startup-error.js';

/** The data dir cannot be made private to the broker's user. */
export class DataDirUnsafeError extends StartupError {
  constructor(message: string) {
    super('data_dir_unsafe', message);
    this.name = 'DataDirUnsafeError';
  }
}

interface Entry {
  path: string;
  mode: number;
}

/** Every entry under `path`, itself included; symbolic links are not followed (their targets are not ours to judge). */
async function walk(path: string, owner: number, dataDir: string, out: Entry[]): Promise<Entry[]> {
  const stats = await lstat(path);
  if (stats.isSymbolicLink()) return out;
  if (stats.uid !== owner) {
    throw new DataDirUnsafeError(
      `${path} belongs to uid ${stats.uid}, not to this user (uid ${owner}): the broker's database and key must be its own — run \`sts server\` as the user who owns ${dataDir}, or pick another --data-dir`,
    );
  }
  out.push({ path, mode: stats.mode & 0o777 });
  if (stats.isDirectory()) for (const name of await readdir(path)) await walk(join(path, name), owner, dataDir, out);
  return out;
}

/**
 * Creates `dataDir` (0700) if missing, then takes group and other permissions away from it and everything
 * in it. Checks every owner before changing anything.
 * @param owner the uid that must own it all (this process's, by default).
 * @throws DataDirUnsafeError naming the first entry of another user, or one whose mode cannot be changed.
 */
export async function makePrivate(dataDir: string, owner = process.getuid?.()): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // No POSIX owners or modes (Windows): nothing to check.
  if (owner === undefined) return;
  for (const entry of await walk(dataDir, owner, dataDir, [])) {
    if ((entry.mode & 0o077) === 0) continue;
    try {
      await chmod(entry.path, entry.mode & 0o700);
    } catch (error) {
      throw new DataDirUnsafeError(
        `cannot make ${entry.path} private (${(error as NodeJS.ErrnoException).code ?? 'error'}): others may read the broker's data — run \`chmod -R go-rwx ${dataDir}\`, or pick another --data-dir`,
      );
    }
  }
}
