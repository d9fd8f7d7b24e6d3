/**
 * Runs the `sts` command line as child processes, the way people run it: `node bin/sts.mjs …` with the
 * environment of one person (their own HOME and XDG directories), against an `sts server` child process.
 * Also hands out TOTP codes the broker will accept (each time step once per account, only ±1 step).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as OTPAuth from 'otpauth';

/** Repository root (where `bin/sts.mjs` lives). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The `sts` entry people run (prefers `dist/sts.mjs`, else the sources through tsx). */
export const stsBin = join(repoRoot, 'bin', 'sts.mjs');
const bundle = join(repoRoot, 'dist', 'sts.mjs');
/** What the bundle is built from: a change here makes it stale. */
const bundleSources = ['cli', 'lambdas', 'statemachine', 'scripts/build.mjs'];

type Env = Record<string, string>;

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * Builds `dist/sts.mjs` (`node scripts/build.mjs`) when it is missing or older than its sources, so every
 * child process starts from the bundle (fast) and runs today's code.
 * @returns whether a build ran.
 */
export function ensureBundle(): boolean {
  if (existsSync(bundle)) {
    const sources = Math.max(...bundleSources.map((path) => newestMtime(join(repoRoot, path))));
    if (statSync(bundle).mtimeMs >= sources) return false;
  }
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'pipe' });
  return true;
}

/**
 * Our environment without `STS_*` and `AWS_*` (a developer's settings or credentials must not steer the
 * test), plus `extra`.
 */
export function cleanEnv(extra: Env = {}): Env {
  const env: Env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('STS_') && !key.startsWith('AWS_')) env[key] = value;
  }
  return { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NO_COLOR: '1', ...extra };
}

/** One person on one machine: a HOME of their own, XDG directories inside it. */
export interface User {
  readonly name: string;
  readonly home: string;
  /** The environment their processes run with. */
  readonly env: Env;
}

/** Creates `root/name` as a HOME with `.config`, `.local/state` and `.cache` as the XDG directories. */
export function makeUser(root: string, name: string, extra: Env = {}): User {
  const home = join(root, name);
  const xdg = {
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
  };
  for (const dir of Object.values(xdg)) mkdirSync(dir, { recursive: true });
  return { name, home, env: cleanEnv({ HOME: home, ...xdg, ...extra }) };
}

/** How a child process ended and what it printed. */
export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A child process still running. */
export interface Background {
  readonly child: ChildProcess;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /**
   * Resolves with the first match of `pattern` in stderr. The limit only turns a hang into a failure
   * (with the output so far); nothing is asserted about how long it took.
   */
  waitForStderr(pattern: RegExp, limitMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited. */
  readonly done: Promise<Run>;
}

/** Starts `file args` with exactly `env` (stdin closed: nothing can prompt). */
export function spawnProcess(file: string, args: string[], env: Env, cwd = repoRoot): Background {
  const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    for (const listener of listeners) listener();
  });
  const done = new Promise<Run>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      for (const listener of listeners) listener();
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  let exited = false;
  void done.then(
    () => {
      exited = true;
    },
    () => {
      exited = true;
    },
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    waitForStderr(pattern, limitMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = err.match(pattern);
          if (match) {
            finish();
            resolve(match);
          } else if (exited) {
            finish();
            reject(new Error(`process exited before printing ${pattern}:\nstdout: ${out}\nstderr: ${err}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no ${pattern} within ${limitMs} ms:\nstdout: ${out}\nstderr: ${err}`));
        }, limitMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs `file args` to completion with exactly `env`. */
export function runProcess(file: string, args: string[], env: Env, cwd = repoRoot): Promise<Run> {
  return spawnProcess(file, args, env, cwd).done;
}

/** Starts `node bin/sts.mjs …args` as `user` (or with a bare clean environment). */
export function spawnSts(args: string[], user?: User, extra: Env = {}): Background {
  return spawnProcess(process.execPath, [stsBin, ...args], { ...(user?.env ?? cleanEnv()), ...extra });
}

/** Runs `node bin/sts.mjs …args` as `user` to completion. */
export function runSts(args: string[], user?: User, extra: Env = {}): Promise<Run> {
  return spawnSts(args, user, extra).done;
}

/** Formats a run for assertion messages. */
export function describeRun(run: Run): string {
  return `exit ${run.code}${run.signal ? ` (${run.signal})` : ''}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
}

// ---------------------------------------------------------------------------------------------------------
// sts server

/** A running `sts server` child process. */
export interface ServerProcess {
  readonly dataDir: string;
  /** From `<data-dir>/server.json`. */
  readonly endpoint: string;
  /** Everything it printed. */
  output(): string;
  /** SIGTERM, then waits for the exit (SIGKILL if it does not stop within `graceMs`). */
  stop(graceMs?: number): Promise<Run>;
}

/**
 * Starts `sts server --data-dir DIR --port 0 --approval-timeout N` and waits until its own `server.json`
 * (naming its pid) exists and `GET /v1/health` answers 200.
 */
export async function startServer(options: {
  dataDir: string;
  approvalTimeoutSeconds: number;
  home: string;
}): Promise<ServerProcess> {
  const { dataDir, approvalTimeoutSeconds, home } = options;
  mkdirSync(home, { recursive: true });
  const args = ['server', '--data-dir', dataDir, '--port', '0', '--approval-timeout', String(approvalTimeoutSeconds)];
  const process_ = spawnSts(args, undefined, { HOME: home });
  const pid = process_.child.pid;
  const output = () => process_.stdout() + process_.stderr();
  let exited = false;
  void process_.done.then(() => {
    exited = true;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`sts server exited early:\n${output()}`);
    if (Date.now() > deadline) {
      process_.child.kill('SIGKILL');
      throw new Error(`sts server not ready within 60 s:\n${output()}`);
    }
    const endpoint = ownEndpoint(dataDir, pid);
    if (endpoint && (await healthy(endpoint))) {
      return {
        dataDir,
        endpoint,
        output,
        async stop(graceMs = 20_000) {
          if (exited) return process_.done;
          process_.child.kill('SIGTERM');
          const timer = setTimeout(() => process_.child.kill('SIGKILL'), graceMs);
          const run = await process_.done;
          clearTimeout(timer);
          return run;
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function ownEndpoint(dataDir: string, pid: number | undefined): string | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as { pid?: number; endpoint?: string };
    return info.pid === pid && typeof info.endpoint === 'string' ? info.endpoint : undefined;
  } catch {
    return undefined;
  }
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/v1/health`);
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** A loopback port nothing listens on (bound, then released). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Accounts and codes

/** One account to enroll. */
export interface AccountSpec {
  accountName: string;
  roles?: string[];
  authorizers?: string[];
}

/** What `sts enroll --json` prints. */
export interface Enrolled {
  issuer: string;
  accountName: string;
  otpauthUrl: string;
}

/** `sts enroll --local --data-dir D --issuer I --account-name A [--roles …] [--secondary-authorizers …] --no-verify --json`. */
export async function enroll(dataDir: string, issuer: string, spec: AccountSpec, admin?: User): Promise<Enrolled> {
  const args = ['enroll', '--local', '--data-dir', dataDir, '--issuer', issuer, '--account-name', spec.accountName];
  if (spec.roles?.length) args.push('--roles', spec.roles.join(','));
  if (spec.authorizers?.length) args.push('--secondary-authorizers', spec.authorizers.join(','));
  args.push('--no-verify', '--json');
  const run = await runSts(args, admin);
  if (run.code !== 0) throw new Error(`sts enroll ${spec.accountName}: ${describeRun(run)}`);
  const enrolled = JSON.parse(run.stdout) as Enrolled;
  if (enrolled.accountName !== spec.accountName || !enrolled.otpauthUrl.startsWith('otpauth://totp/')) {
    throw new Error(`sts enroll ${spec.accountName} printed ${run.stdout}`);
  }
  return enrolled;
}

const PERIOD_MS = 30_000;

/**
 * Hands out TOTP codes per account in increasing step order: the current step, then the next one. The
 * previous step is never used (it may lapse between handing it out and the broker checking it). A third
 * code for the same account waits for the next step: tests enroll more accounts instead.
 */
export class CodeBook {
  private readonly accounts = new Map<string, { totp: OTPAuth.TOTP; lastStep: number }>();

  /** Registers an enrolled account (names must be unique, even across brokers). */
  add(enrolled: Enrolled): void {
    const totp = OTPAuth.URI.parse(enrolled.otpauthUrl);
    if (!(totp instanceof OTPAuth.TOTP)) throw new Error(`${enrolled.accountName}: not a TOTP URL`);
    if (this.accounts.has(enrolled.accountName)) throw new Error(`${enrolled.accountName} is already in the code book`);
    this.accounts.set(enrolled.accountName, { totp, lastStep: Number.NEGATIVE_INFINITY });
  }

  /** A code of `accountName` for a step not handed out before. */
  async next(accountName: string): Promise<string> {
    const account = this.accounts.get(accountName);
    if (!account) throw new Error(`unknown test account ${accountName}`);
    for (;;) {
      const current = Math.floor(Date.now() / PERIOD_MS);
      const step = Math.max(account.lastStep + 1, current);
      if (step <= current + 1) {
        account.lastStep = step;
        return account.totp.generate({ timestamp: step * PERIOD_MS });
      }
      await new Promise((resolve) => setTimeout(resolve, (current + 1) * PERIOD_MS - Date.now() + 200));
    }
  }
}
