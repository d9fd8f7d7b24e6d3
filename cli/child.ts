/** Runs one child process for `sts exec`: no shell, exit code (or 128 + signal) passed through. */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { BaseContext } from 'clipanion';
import { CliError } from './errors.js';

/** Signals the parent passes on to the child while it runs (Ctrl-C reaches both from the terminal). */
const FORWARDED = ['SIGTERM', 'SIGHUP'] as const;

/** Runs `file args` with `env`; resolves to its exit code. */
export function runChild(
  file: string,
  args: string[],
  env: Record<string, string | undefined>,
  context: Pick<BaseContext, 'stdin' | 'stdout' | 'stderr'>,
): Promise<number> {
  // Real process streams are handed over as they are (a TTY stays a TTY); in-memory ones are piped.
  const inheritOut = context.stdout === process.stdout;
  const inheritErr = context.stderr === process.stderr;
  const child = spawn(file, args, {
    env,
    shell: false,
    stdio: [
      context.stdin === process.stdin ? 'inherit' : 'ignore',
      inheritOut ? 'inherit' : 'pipe',
      inheritErr ? 'inherit' : 'pipe',
    ],
  });
  if (!inheritOut) child.stdout?.pipe(context.stdout, { end: false });
  if (!inheritErr) child.stderr?.pipe(context.stderr, { end: false });
  const ignoreSigint = () => {}; // the child gets Ctrl-C from the terminal and decides; we only wait for it
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', ignoreSigint);
  for (const signal of FORWARDED) process.on(signal, forward);
  const cleanup = () => {
    process.off('SIGINT', ignoreSigint);
    for (const signal of FORWARDED) process.off(signal, forward);
  };
  return new Promise((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      if (e.code === 'ENOENT')
        reject(new CliError(`Cannot run ${file}: command not found. Check the name and your PATH.`, 127));
      else if (e.code === 'EACCES')
        reject(new CliError(`Cannot run ${file}: permission denied. Check that it is executable.`, 126));
      else reject(e);
    });
    child.on('close', (code, signal) => {
      cleanup();
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
