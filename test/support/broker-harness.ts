/**
 * Drives a real embedded broker for end-to-end tests: `sts server` and `sts enroll` as child processes
 * (exactly as a user runs them), a small fetch client for the HTTP API (docs/design.md §4), and a scan of
 * files and captured output for secrets that must never appear in plaintext.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as OTPAuth from 'otpauth';

/** Repository root (where `bin/sts.cjs` lives). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const stsBin = join(repoRoot, 'bin', 'sts.cjs');
const bundle = join(repoRoot, 'dist', 'sts.cjs');
const sourceDirs = ['cli', 'lambdas', 'statemachine'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * How to run `sts`: `bin/sts.cjs`, as users do. It prefers `dist/sts.cjs`, which is only rebuilt by
 * `npm run build`; a bundle older than the sources would test yesterday's code, so then the sources run
 * through tsx directly (what bin/sts.cjs itself does without a bundle).
 */
function stsCommand(): string[] {
  if (!existsSync(bundle)) return [stsBin];
  const sourcesNewest = Math.max(...sourceDirs.map((dir) => newestMtime(join(repoRoot, dir))));
  if (statSync(bundle).mtimeMs >= sourcesNewest) return [stsBin];
  if (!warnedStale) {
    warnedStale = true;
    console.warn('broker-harness: dist/sts.cjs is older than the sources; running them through tsx instead.');
  }
  return ['--import', 'tsx', join(repoRoot, 'cli', 'main.ts')];
}
let warnedStale = false;

/** The child's environment: ours without `STS_*` (a developer's settings must not steer the test). */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('STS_')) env[key] = value;
  return { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NO_COLOR: '1', ...extra };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Last `chars` characters of a process's output, for error messages. */
function tail(text: string, chars = 4000): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

// ---------------------------------------------------------------------------------------------------------
// sts server

/** A running `sts server` child process. */
export interface BrokerProcess {
  readonly dataDir: string;
  /** `http://127.0.0.1:PORT`, from `<data-dir>/server.json`. */
  readonly endpoint: string;
  /** The parsed `server.json`. */
  readonly info: Record<string, unknown>;
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). `killed` says whether SIGKILL was needed. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }>;
}

/** Options of {@link startBroker}. */
export interface StartBrokerOptions {
  dataDir: string;
  approvalTimeoutSeconds: number;
  minter?: 'local' | 'aws';
  /** How long to wait for `server.json` and a healthy `/v1/health` (the tsx fallback compiles on start). */
  startTimeoutMs?: number;
  /** More `sts server` arguments (e.g. `--notify-url`). */
  extraArgs?: string[];
}

/**
 * Starts `node bin/sts.cjs server --data-dir … --port 0 --approval-timeout … --minter …` and waits until it
 * has written a `server.json` naming its own pid and answers `GET /v1/health`.
 */
export async function startBroker(options: StartBrokerOptions): Promise<BrokerProcess> {
  const { dataDir, approvalTimeoutSeconds, minter = 'local', startTimeoutMs = 90_000 } = options;
  const args = [
    ...stsCommand(),
    'server',
    '--data-dir',
    dataDir,
    '--port',
    '0',
    '--approval-timeout',
    String(approvalTimeoutSeconds),
    '--minter',
    minter,
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const output = () => Buffer.concat(chunks).toString('utf8');
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((e) => {
    exit = e;
  });

  const pid = child.pid;
  if (pid === undefined) throw new Error('sts server did not start');
  const deadline = Date.now() + startTimeoutMs;
  let info: Record<string, unknown> | undefined;
  while (!info || !(await healthy(String(info.endpoint)))) {
    if (exit) {
      throw new Error(`sts server exited early (code ${exit.code}, signal ${exit.signal}):\n${tail(output())}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sts server did not become ready within ${startTimeoutMs} ms:\n${tail(output())}`);
    }
    await sleep(100);
    if (!info) info = await readOwnServerInfo(dataDir, pid);
  }
  const ready = info;
  return {
    dataDir,
    endpoint: String(ready.endpoint),
    info: ready,
    pid,
    output,
    async stop(graceMs = 20_000) {
      if (exit) return { ...exit, killed: false };
      child.kill('SIGTERM');
      const timer = sleep(graceMs).then(() => 'timeout' as const);
      const first = await Promise.race([exited, timer]);
      if (first !== 'timeout') return { ...first, killed: false };
      child.kill('SIGKILL');
      return { ...(await exited), killed: true };
    },
  };
}

/** `server.json` if it exists, parses, and was written by `pid` (a restart must not read its predecessor's). */
async function readOwnServerInfo(dataDir: string, pid: number): Promise<Record<string, unknown> | undefined> {
  try {
    const info = JSON.parse(await readFile(join(dataDir, 'server.json'), 'utf8')) as Record<string, unknown>;
    return info.pid === pid && typeof info.endpoint === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    // Bounded, so a server that accepts but never answers ends in the start deadline's error, with its output.
    const res = await fetch(`${endpoint}/v1/health`, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------
// sts (other commands)

/** The outcome of one `sts` run. */
export interface StsRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/sts.cjs …args` to completion (stdin closed, so nothing can prompt). */
export function runSts(args: string[], env: Record<string, string> = {}): Promise<StsRun> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [...stsCommand(), ...args], {
      cwd: repoRoot,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

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
export async function enroll(dataDir: string, issuer: string, spec: AccountSpec): Promise<Enrolled> {
  const args = ['enroll', '--local', '--data-dir', dataDir, '--issuer', issuer, '--account-name', spec.accountName];
  if (spec.roles?.length) args.push('--roles', spec.roles.join(','));
  if (spec.authorizers?.length) args.push('--secondary-authorizers', spec.authorizers.join(','));
  args.push('--no-verify', '--json');
  const run = await runSts(args);
  if (run.code !== 0) {
    throw new Error(`sts enroll ${spec.accountName} exited ${run.code}: ${run.stderr.trim()}`);
  }
  let parsed: Enrolled;
  try {
    parsed = JSON.parse(run.stdout) as Enrolled;
  } catch {
    throw new Error(`sts enroll ${spec.accountName} printed no JSON (stderr: ${run.stderr.trim()})`);
  }
  if (typeof parsed.otpauthUrl !== 'string' || parsed.accountName !== spec.accountName) {
    throw new Error(`sts enroll ${spec.accountName} printed unexpected JSON keys: ${Object.keys(parsed).join(', ')}`);
  }
  return parsed;
}

/** Enrolls `specs` in order of the array's groups: each inner array runs in parallel, groups one after another. */
export async function enrollAll(dataDir: string, issuer: string, groups: AccountSpec[][]): Promise<Enrolled[]> {
  const all: Enrolled[] = [];
  for (const group of groups) all.push(...(await Promise.all(group.map((spec) => enroll(dataDir, issuer, spec)))));
  return all;
}

// ---------------------------------------------------------------------------------------------------------
// HTTP API

/** A response, its body parsed as JSON when it is JSON. */
export interface ApiResponse<T = any> {
  status: number;
  contentType: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: T;
  text: string;
}

/** A request's terminal statuses (docs/design.md §4). */
export const TERMINAL = ['MINTED', 'DENIED', 'EXPIRED', 'REJECTED', 'FAILED'] as const;

/** Minimal client for the broker's API; raw enough to send malformed requests too. */
export class ApiClient {
  constructor(readonly endpoint: string) {}

  /** Any request. A string or object `json` is sent with `application/json` unless `headers` say otherwise. */
  async send(
    method: string,
    path: string,
    options: { json?: unknown; body?: RequestInit['body']; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    let body = options.body;
    if (options.json !== undefined) {
      body = typeof options.json === 'string' ? options.json : JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const init: RequestInit & { duplex?: 'half' } = { method, headers, body };
    if (body instanceof ReadableStream) init.duplex = 'half';
    const res = await fetch(`${this.endpoint}${path}`, init);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: parsed, text };
  }

  /** `POST /v1/requests`. */
  create(input: Record<string, unknown>): Promise<ApiResponse> {
    return this.send('POST', '/v1/requests', { json: input });
  }

  /** `GET /v1/requests/{id}`. */
  get(id: string): Promise<ApiResponse> {
    return this.send('GET', `/v1/requests/${id}`);
  }

  /** `POST /v1/requests/{id}/approve`. */
  approve(id: string, accountName: string, totpCode: string): Promise<ApiResponse> {
    return this.send('POST', `/v1/requests/${id}/approve`, { json: { accountName, totpCode } });
  }

  /** `POST /v1/requests/{id}/deny`. */
  deny(id: string, accountName: string, totpCode: string, reason?: string): Promise<ApiResponse> {
    const json = reason === undefined ? { accountName, totpCode } : { accountName, totpCode, reason };
    return this.send('POST', `/v1/requests/${id}/deny`, { json });
  }

  /**
   * Polls `GET /v1/requests/{id}` until its status is one of `statuses` (or terminal, which then fails the
   * wait if not wanted). Returns the view and every status seen on the way.
   * The limit only turns a hang into a failure; nothing is asserted about how long it took.
   */
  async waitFor(
    id: string,
    statuses: readonly string[],
    limitMs = 30_000,
  ): Promise<{ view: Record<string, any>; seen: string[] }> {
    const seen: string[] = [];
    const deadline = Date.now() + limitMs;
    for (;;) {
      const res = await this.get(id);
      if (res.status !== 200) throw new Error(`GET ${id} answered ${res.status}: ${res.text}`);
      const status = res.body.status as string;
      if (seen.at(-1) !== status) seen.push(status);
      if (statuses.includes(status)) return { view: res.body, seen };
      if ((TERMINAL as readonly string[]).includes(status)) {
        throw new Error(`request ${id} ended ${status} (${JSON.stringify(res.body.error)}), wanted ${statuses}`);
      }
      if (Date.now() > deadline)
        throw new Error(`request ${id} still ${status} after ${limitMs} ms, wanted ${statuses}`);
      await sleep(50);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Leak scanning

/** A byte string that must not appear, and a label that names it without revealing it. */
export interface Needle {
  label: string;
  bytes: Buffer;
}

/**
 * Characters per piece in {@link windows}: long enough that random text never matches by chance (one in
 * 32^12 for base32), short enough that a leaked value keeps whole pieces between snappy's back-references.
 */
const WINDOW = 12;

/**
 * Non-overlapping 12-character pieces of `value`. LevelDB compresses its tables (snappy), which can replace
 * a repeated run inside a value by a back-reference; a leaked value still shows most of its pieces literally.
 */
function windows(value: string): string[] {
  // A short random part (a local access key id has 11 random characters) is one piece on its own.
  if (value.length < WINDOW) return value.length >= 8 ? [value] : [];
  const out: string[] = [];
  for (let i = 0; i + WINDOW <= value.length; i += WINDOW) out.push(value.slice(i, i + WINDOW));
  return out;
}

/**
 * The parts of base64(x) that depend only on `value`'s bytes when `value` sits anywhere inside a larger x:
 * one for each of the three alignments, standard and URL alphabets.
 */
function base64Forms(value: Buffer): string[] {
  const out = new Set<string>();
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), value]).toString('base64');
    const firstGroup = offset === 0 ? 0 : 1; // groups touching the padding bytes depend on them
    const lastGroup = Math.floor((offset + value.length) / 3); // exclusive: a partial group depends on what follows
    const inner = encoded.slice(firstGroup * 4, lastGroup * 4);
    if (inner.length >= WINDOW) {
      out.add(inner);
      out.add(inner.replaceAll('+', '-').replaceAll('/', '_'));
    }
  }
  return [...out];
}

/**
 * Needles for a secret string: the whole of it, its random part in 12-character pieces, and its base64 forms.
 * @param publicPrefix a fixed, non-secret prefix (e.g. the local session-token marker) left out of the pieces.
 */
export function secretNeedles(label: string, value: string, publicPrefix = ''): Needle[] {
  const random = value.startsWith(publicPrefix) ? value.slice(publicPrefix.length) : value;
  const needles: Needle[] = [{ label: `${label} (raw)`, bytes: Buffer.from(value, 'utf8') }];
  for (const [i, piece] of windows(random).entries()) {
    needles.push({ label: `${label} (piece ${i})`, bytes: Buffer.from(piece, 'utf8') });
  }
  for (const [i, form] of base64Forms(Buffer.from(value, 'utf8')).entries()) {
    needles.push({ label: `${label} (base64 form ${i})`, bytes: Buffer.from(form, 'utf8') });
  }
  return needles;
}

/** Needles for an enrolled TOTP device: its otpauth URL (raw and URL-encoded), base32 secret and raw key bytes. */
export function totpNeedles(label: string, otpauthUrl: string): Needle[] {
  const totp = OTPAuth.URI.parse(otpauthUrl);
  const base32 = totp.secret.base32;
  const raw = Buffer.from(totp.secret.bytes);
  const needles: Needle[] = [
    ...secretNeedles(`${label} otpauth URL`, otpauthUrl),
    { label: `${label} otpauth URL (URL-encoded)`, bytes: Buffer.from(encodeURIComponent(otpauthUrl)) },
    ...secretNeedles(`${label} base32 secret`, base32),
    { label: `${label} base32 secret (lowercase)`, bytes: Buffer.from(base32.toLowerCase()) },
    { label: `${label} raw secret bytes`, bytes: raw },
    { label: `${label} secret (hex)`, bytes: Buffer.from(raw.toString('hex')) },
  ];
  for (const [i, form] of base64Forms(raw).entries()) {
    needles.push({ label: `${label} raw secret (base64 form ${i})`, bytes: Buffer.from(form) });
  }
  return needles;
}

/** Every regular file under `dir`, recursively. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** `where: label` for every needle found in a file under `dir` (binary files included). */
export async function scanDir(dir: string, needles: Needle[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of await listFiles(dir)) {
    found.push(...scanBytes(relative(dir, file), await readFile(file), needles));
  }
  return found;
}

/** `where: label` for every needle found in `bytes`. */
export function scanBytes(where: string, bytes: Buffer, needles: Needle[]): string[] {
  return needles.filter((n) => n.bytes.length > 0 && bytes.includes(n.bytes)).map((n) => `${where}: ${n.label}`);
}
