/** What the figures were measured on: they mean little without it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';

/** The machine and toolchain a run used. */
export interface Machine {
  node: string;
  cpuModel: string;
  cores: number;
  os: string;
  memoryGiB: number;
  esbuild: string;
  commit: string;
  /** 1-, 5- and 15-minute load averages when the run started (other work on a shared machine skews figures). */
  loadAtStart: number[];
}

function packageVersion(name: string): string {
  try {
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function gitCommit(cwd: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
    return dirty.trim() ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

/** Node version, CPU model and count, OS, memory, esbuild version, the checked-out commit and the load now. */
export function describeMachine(repoRoot: string): Machine {
  const list = cpus();
  return {
    node: process.version,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    os: `${platform()} ${release()}`,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    esbuild: packageVersion('esbuild'),
    commit: gitCommit(repoRoot),
    loadAtStart: loadavg(),
  };
}
