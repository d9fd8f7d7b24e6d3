/**
 * The `sts` CLI as a user runs it: `node bin/sts.cjs …` as a child process, with a throwaway HOME (config,
 * pending request keys and the credential cache all live there) and no `STS_*` settings of our own.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Api } from './api-client.js';
import { type Account, type BrokerFixture, ISSUER, ROLE } from './broker-fixture.js';
import type { Subject } from './process-timing.js';
import { msSince } from './stats.js';

/**
 * Our environment without `STS_*`, `XDG_*` and NODE_EXTRA_CA_CERTS (every Node.js start then parses that CA
 * bundle, ~43 ms here; neither a laptop nor Lambda sets it by default, nothing timed speaks TLS), HOME moved.
 */
export function cliEnv(home: string): NodeJS.ProcessEnv {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('STS_') && !key.startsWith('XDG_') && key !== 'NODE_EXTRA_CA_CERTS') env[key] = value;
  }
  return { ...env, HOME: home, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

/** `node -e 0`: what any Node.js process costs. */
export function baselineSubject(env: NodeJS.ProcessEnv): Subject {
  return { label: 'node -e 0 (baseline)', command: process.execPath, args: ['-e', '0'], env };
}

/** `node bin/sts.cjs --help`: every command registered, to list them. */
export function helpSubject(repoRoot: string, env: NodeJS.ProcessEnv): Subject {
  return {
    label: 'sts --help',
    command: process.execPath,
    args: [join(repoRoot, 'bin', 'sts.cjs'), '--help'],
    env,
    check: (out) => out.includes('sts request'),
  };
}

/** `node bin/sts.cjs approve --help`: one command registered and parsed, as for `sts approve <id>`. */
export function commandHelpSubject(repoRoot: string, env: NodeJS.ProcessEnv): Subject {
  return {
    label: 'sts approve --help',
    command: process.execPath,
    args: [join(repoRoot, 'bin', 'sts.cjs'), 'approve', '--help'],
    env,
    check: (out) => out.includes('$ sts approve'),
  };
}

function credentialProcessArgs(repoRoot: string, dataDir: string, accountName: string): string[] {
  return [
    join(repoRoot, 'bin', 'sts.cjs'),
    'get',
    '--local',
    '--data-dir',
    dataDir,
    '--issuer',
    ISSUER,
    '--account-name',
    accountName,
    '--role',
    ROLE,
    '--format',
    'credential-process',
  ];
}

function isCredentialProcessDocument(out: string): boolean {
  try {
    const doc = JSON.parse(out) as Record<string, unknown>;
    return doc.Version === 1 && typeof doc.AccessKeyId === 'string' && typeof doc.SessionToken === 'string';
  } catch {
    return false;
  }
}

/**
 * The warm credential_process call. No `--totp-code`: a cache miss then fails at once (nothing can prompt)
 * instead of creating a request that this process, blocked in spawnSync, could not serve.
 */
export function warmCredentialProcessSubject(
  repoRoot: string,
  dataDir: string,
  accountName: string,
  env: NodeJS.ProcessEnv,
): Subject {
  return {
    label: 'sts get --format credential-process (warm cache)',
    command: process.execPath,
    args: credentialProcessArgs(repoRoot, dataDir, accountName),
    env,
    check: isCredentialProcessDocument,
  };
}

interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a child to completion without blocking this process (the broker it talks to runs here). */
function runAsync(args: string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The first credential_process call of the day: a cache miss, so a single-factor request is made and
 * minted, then cached. Returns how long it took (one sample).
 */
export async function primeCredentialProcess(
  fixture: BrokerFixture,
  repoRoot: string,
  accountName: string,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const args = [
    ...credentialProcessArgs(repoRoot, fixture.dataDir, accountName),
    '--totp-code',
    fixture.code(accountName),
  ];
  const start = process.hrtime.bigint();
  const run = await runAsync(args, env);
  const elapsed = msSince(start);
  if (run.code !== 0 || !isCredentialProcessDocument(run.stdout)) {
    throw new Error(`priming credential_process exited ${run.code}: ${run.stderr.trim().slice(-2000)}`);
  }
  return elapsed;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

// Promise.withResolvers is Node 22; this runs on Node 20 too.
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One waiting `sts request`, and when its credentials arrived. */
export interface RequestRun {
  /** The request's id. */
  id: string;
  /** How long after AWAITING_APPROVAL the approve call was made (ms). */
  approvedAfter: number;
  /** Approve call's 200 → the child's stdout holding the credentials (ms). */
  approvedToPrinted: number;
}

/**
 * For each pair: `sts request --local … --totp-code C --format json` as a child; once the broker shows the
 * request AWAITING_APPROVAL and `delays[i]` ms have passed, the approver's call is made here over HTTP.
 * Times the approve call's 200 to the child's stdout receiving the credentials JSON.
 */
export async function measureRequestToCredentials(
  fixture: BrokerFixture,
  repoRoot: string,
  accounts: Account[],
  delays: number[],
  env: NodeJS.ProcessEnv,
  /** Called as the benchmark sees the request AWAITING_APPROVAL (its own polling ends there). */
  onAwaiting?: (id: string) => void,
): Promise<RequestRun[]> {
  const api = new Api(fixture.endpoint);
  const runs: RequestRun[] = [];
  for (const [i, account] of accounts.entries()) {
    if (!account.approver) throw new Error(`${account.name} has no approver`);
    const args = [
      join(repoRoot, 'bin', 'sts.cjs'),
      'request',
      '--local',
      '--data-dir',
      fixture.dataDir,
      '--issuer',
      ISSUER,
      '--account-name',
      account.name,
      '--role',
      ROLE,
      '--secondary-authorizer',
      account.approver,
      '--totp-code',
      fixture.code(account.name),
      '--format',
      'json',
    ];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const idSeen = deferred<string>();
    const printed = deferred<bigint>();
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      // The whole JSON document: the moment a script reading stdout could use the credentials.
      if (stdout.includes('"SessionToken"') && stdout.trimEnd().endsWith('}')) printed.resolve(process.hrtime.bigint());
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
      const match = /Request (r_[0-9a-z]+)/.exec(stderr);
      if (match) idSeen.resolve(match[1]);
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    void exited.then((code) => {
      const failure = new Error(`sts request exited ${code} early: ${stderr.trim().slice(-2000)}`);
      idSeen.reject(failure);
      printed.reject(failure);
    });
    // Settled either way once the child exits; keeps an early exit from being an unhandled rejection.
    printed.promise.catch(() => {});

    const id = await idSeen.promise;
    const awaiting = await api.pollFor(id, 'AWAITING_APPROVAL', 20);
    onAwaiting?.(id);
    const approveAt = awaiting.at + BigInt(Math.round(delays[i] * 1e6));
    const wait = Number(approveAt - process.hrtime.bigint()) / 1e6;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const approvedAfter = msSince(awaiting.at);
    await api.approve(id, account.approver, fixture.code(account.approver));
    const approved = process.hrtime.bigint();
    const printedAt = await printed.promise;
    const code = await exited;
    if (code !== 0) throw new Error(`sts request exited ${code}: ${stderr.trim().slice(-2000)}`);
    JSON.parse(stdout);
    runs.push({ id, approvedAfter, approvedToPrinted: msSince(approved, printedAt) });
  }
  return runs;
}
