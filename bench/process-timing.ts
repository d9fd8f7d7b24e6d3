/**
 * Wall-clock time of short-lived processes, measured side by side: each round runs every subject once,
 * in an order that rotates from round to round, so drift (CPU frequency, page cache, other load) falls on
 * all subjects alike instead of on whichever ran last.
 */
import { spawnSync } from 'node:child_process';
import { msSince } from './stats.js';

/** One command to time. */
export interface Subject {
  label: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Checks a run's stdout (e.g. that credentials were printed); a failure aborts the benchmark. */
  check?: (stdout: string) => boolean;
}

/** Samples (ms) per subject label. */
export type Samples = Record<string, number[]>;

function runOnce(subject: Subject): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(subject.command, subject.args, {
    cwd: subject.cwd,
    env: subject.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  const elapsed = msSince(start);
  if (result.error) throw new Error(`${subject.label}: ${result.error.message}`);
  if (result.status !== 0 || (subject.check && !subject.check(result.stdout))) {
    const stderr = result.stderr.trim().slice(-2000);
    throw new Error(
      `${subject.label}: exited ${result.status ?? result.signal} or printed the wrong output\n${stderr}`,
    );
  }
  return elapsed;
}

/**
 * Runs `warmup` untimed rounds (page cache, compile cache), then `runs` timed rounds of all `subjects`.
 * Blocks the event loop while a child runs (`spawnSync`): only time things that need nothing from this process.
 */
export function timeInterleaved(subjects: readonly Subject[], runs: number, warmup = 2): Samples {
  const samples: Samples = Object.fromEntries(subjects.map((s) => [s.label, [] as number[]]));
  for (let round = 0; round < warmup + runs; round++) {
    for (let i = 0; i < subjects.length; i++) {
      const subject = subjects[(round + i) % subjects.length];
      const elapsed = runOnce(subject);
      if (round >= warmup) samples[subject.label].push(elapsed);
    }
  }
  return samples;
}
