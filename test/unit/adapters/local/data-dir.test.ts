import type * as fs from 'node:fs/promises';
import { chmod, lstat, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DataDirUnsafeError, makePrivate } from '../../../../lambdas/adapters/local/data-dir.js';

// chmod can be made to fail for one path (a file system that refuses it); everything else is the real fs.
const failChmodFor = vi.hoisted(() => ({ path: undefined as string | undefined }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  return {
    ...real,
    chmod: async (path: string, mode: number) => {
      if (path === failChmodFor.path)
        throw Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' });
      return real.chmod(path, mode);
    },
  };
});

let base: string;
let dataDir: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'stsftw-datadir-'));
  dataDir = join(base, 'data');
  failChmodFor.path = undefined;
});
afterEach(() => rm(base, { recursive: true, force: true }));

const uid = process.getuid?.() ?? 0;
const mode = async (path: string) => (await lstat(path)).mode & 0o777;

/** A used data dir, opened up to everyone: 0755 directories, 0644 files (as LevelDB leaves them). */
async function looseDataDir(): Promise<void> {
  await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
  await writeFile(join(dataDir, 'local.key'), 'k');
  await writeFile(join(dataDir, 'dynamodb', '000003.log'), 'x');
  await writeFile(join(dataDir, 'dynamodb', 'MANIFEST-000002'), 'x');
  for (const dir of [dataDir, join(dataDir, 'dynamodb')]) await chmod(dir, 0o755);
  for (const file of ['local.key', 'dynamodb/000003.log', 'dynamodb/MANIFEST-000002']) {
    await chmod(join(dataDir, file), 0o644);
  }
}

describe('makePrivate', () => {
  it('creates a missing data dir 0700', async () => {
    await makePrivate(dataDir);
    expect(await mode(dataDir)).toBe(0o700);
  });

  it('tightens a data dir others can read, recursively: directories 0700, files 0600', async () => {
    await looseDataDir();
    await makePrivate(dataDir);
    expect(await mode(dataDir)).toBe(0o700);
    expect(await mode(join(dataDir, 'dynamodb'))).toBe(0o700);
    expect(await mode(join(dataDir, 'local.key'))).toBe(0o600);
    expect(await mode(join(dataDir, 'dynamodb', '000003.log'))).toBe(0o600);
    expect(await mode(join(dataDir, 'dynamodb', 'MANIFEST-000002'))).toBe(0o600);
  });

  it('only takes permissions away: an owner-only file stays as it is', async () => {
    await mkdir(dataDir, { mode: 0o700 });
    await writeFile(join(dataDir, 'read-only'), 'x', { mode: 0o400 });
    await makePrivate(dataDir);
    expect(await mode(join(dataDir, 'read-only'))).toBe(0o400);
  });

  it('leaves the target of a symbolic link alone', async () => {
    await mkdir(dataDir, { mode: 0o700 });
    const outside = join(base, 'outside.txt');
    await writeFile(outside, 'x', { mode: 0o644 });
    await chmod(outside, 0o644);
    await symlink(outside, join(dataDir, 'link'));
    await makePrivate(dataDir);
    expect((await stat(outside)).mode & 0o777).toBe(0o644);
  });

  it('refuses a data dir holding anything that belongs to another user, changing nothing', async () => {
    await looseDataDir();
    // As another user sees it: every entry here belongs to `uid`, not to them.
    const error = await makePrivate(dataDir, uid + 1).catch((e) => e);
    expect(error).toBeInstanceOf(DataDirUnsafeError);
    expect(error).toMatchObject({ code: 'data_dir_unsafe', exitCode: 1 });
    expect(error.message).toBe(
      `${dataDir} belongs to uid ${uid}, not to this user (uid ${uid + 1}): the broker's database and key must be its own — run \`sts server\` as the user who owns ${dataDir}, or pick another --data-dir`,
    );
    expect(await mode(dataDir)).toBe(0o755);
  });

  it('refuses with a sentence when a permission cannot be taken away', async () => {
    await looseDataDir();
    failChmodFor.path = join(dataDir, 'dynamodb', '000003.log');
    const error = await makePrivate(dataDir).catch((e) => e);
    expect(error).toBeInstanceOf(DataDirUnsafeError);
    expect(error.message).toBe(
      `cannot make ${failChmodFor.path} private (EPERM): others may read the broker's data — run \`chmod -R go-rwx ${dataDir}\`, or pick another --data-dir`,
    );
  });
});
