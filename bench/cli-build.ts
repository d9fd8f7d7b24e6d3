/** Makes sure `bin/sts.cjs` runs the esbuild bundle, and that the bundle matches the sources. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/**
 * Runs `node scripts/build.mjs` (what `npm run build` does) when `dist/sts.cjs` is missing or older than
 * anything under `cli/`, `lambdas/`, `statemachine/` (the bundle inlines the definition) or the build script,
 * or when `force` is set.
 * @returns a sentence saying which bundle the CLI figures used.
 */
export function ensureCliBuilt(repoRoot: string, force: boolean): string {
  const bundle = join(repoRoot, 'dist', 'sts.cjs');
  const sources = ['cli', 'lambdas', 'statemachine', join('scripts', 'build.mjs')].map((p) =>
    newestMtime(join(repoRoot, p)),
  );
  const stale = !existsSync(bundle) || statSync(bundle).mtimeMs < Math.max(...sources);
  if (!force && !stale) return '`dist/` was up to date with the sources (built by `npm run build`).';
  const build = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  if (!existsSync(bundle)) throw new Error(`npm run build wrote no ${bundle}: the CLI would run from the sources`);
  return '`dist/` was rebuilt by the benchmark (`node scripts/build.mjs`, as `npm run build`).';
}
