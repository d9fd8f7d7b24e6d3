/**
 * The one harness of the CLI tests. In process: `runCli(argv, env, context)` runs `runSts()` of cli/cli.ts with in-memory
 * streams and scripted seams (terminal, sleep, fetch, signal), a fake HTTP broker (`startFakeBroker`) and a
 * local auth table on dynalite (`startLocalBroker`) for the administrator commands. As people run it:
 * `runSts` / `spawnSts` start `node bin/sts.cjs …` child processes with one person's environment, against
 * an `sts server` child (`startServer`), with TOTP codes the broker accepts (`CodeBook`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import * as OTPAuth from 'otpauth';
import { afterEach, beforeEach, vi } from 'vitest';
import { runSts as runStsInProcess } from '../../cli/cli.js';
import type { StsContext } from '../../cli/context.js';
import type { Terminal } from '../../cli/terminal.js';
import { authTableKeys, ensureTable } from '../../lambdas/adapters/aws/tables.js';
import { createLocalCipher } from '../../lambdas/adapters/local/local-cipher.js';
import { newRequestId, verificationCode } from '../../lambdas/core/ids.js';
import type { SecretCipher } from '../../lambdas/core/ports.js';
import { seal } from '../../lambdas/core/sealing.js';

// ---------------------------------------------------------------------------------------------------------
// In process: cli.run(argv, context)

/** A terminal that answers prompts from a list (in order) or a function of the question and what it said. */
export class ScriptedTerminal implements Terminal {
  /** Every prompt, with whether it hid the typing. */
  readonly asked: { question: string; hidden: boolean }[] = [];
  readonly said: string[] = [];
  constructor(
    private readonly answer: string[] | ((question: string, transcript: string) => string) = () => '',
    readonly interactive = true,
  ) {}
  async prompt(question: string, options?: { hidden?: boolean }): Promise<string> {
    this.asked.push({ question, hidden: options?.hidden === true });
    if (typeof this.answer === 'function') return this.answer(question, this.transcript);
    const answer = this.answer.shift();
    if (answer === undefined) throw new Error(`unexpected prompt: ${question}`);
    return answer;
  }
  say(text: string): void {
    this.said.push(text);
  }
  /** The questions asked, in order. */
  get questions(): string[] {
    return this.asked.map((entry) => entry.question);
  }
  /** Everything said, joined. */
  get transcript(): string {
    return this.said.join('');
  }
}

/** A scripted terminal answering `answers` in order, with what it was asked and what it said. */
export function fakeTerminal(answers: string[] = [], interactive = true) {
  const terminal = new ScriptedTerminal(answers, interactive);
  return { terminal, questions: terminal.asked, said: terminal.said };
}

/** A temporary HOME (config, state, cache and ~/.aws all go under it). */
export function tempHome(): { home: string; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), 'sts-cli-'));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

class Sink extends Writable {
  text = '';
  _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** Output of one in-process run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A HOME that does not exist: the commands read no config-file profile, never the developer's. */
const NO_HOME = join(tmpdir(), 'sts-cli-no-home');

/**
 * Runs `sts argv` in this process with in-memory streams. `env` is the whole environment the CLI sees (HOME
 * defaults to one that does not exist); `context` replaces the seams: by default a terminal nobody can be
 * asked on and sleeps that return at once.
 */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = {},
  context: Partial<StsContext> = {},
): Promise<RunResult> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runStsInProcess(argv, {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { HOME: NO_HOME, ...env },
    colorDepth: 1,
    terminal: new ScriptedTerminal([], false),
    sleep: async () => {},
    ...context,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * A temporary HOME and a fake broker started with `options`, and the environment of alice, a requester of
 * acme asking for admin, pointed at it. The caller closes the broker and cleans up the HOME.
 */
export async function requesterSetup(options: FakeBrokerOptions): Promise<{
  home: ReturnType<typeof tempHome>;
  broker: FakeBroker;
  env: Record<string, string>;
}> {
  const home = tempHome();
  const broker = await startFakeBroker(options);
  const env = {
    HOME: home.home,
    STS_ENDPOINT: broker.url,
    STS_ISSUER: 'acme',
    STS_ACCOUNT_NAME: 'alice',
    STS_ROLE: 'admin',
  };
  return { home, broker, env };
}

// ---------------------------------------------------------------------------------------------------------
// A fake broker: node:http on 127.0.0.1, port 0. Requests follow a scripted list of statuses (one step per
// GET); MINTED answers carry credentials really sealed to the CLI's public key.

export interface TestCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

export interface Problem {
  status: number;
  code: string;
  detail?: string;
}

/** One request as the fake keeps it. */
export interface FakeRequest {
  id: string;
  body: Record<string, any>;
  gets: number;
  view: Record<string, any>;
}

/** One step of a fake request's plan: its status, and (a broker with quorums) its approvals so far. */
export interface PlanStep {
  status: string;
  /** `approvalsRequired` from this step on (absent: the field stays as it was, absent on an older broker). */
  approvalsRequired?: number;
  /** The names of the approvals counted so far (`approvals`, in order; the last one is `approvedBy`). */
  approvals?: string[];
}

export interface FakeBrokerOptions {
  /** Statuses (or steps) returned by successive GETs (the last one repeats). */
  plan?: (string | PlanStep)[];
  credentials?: TestCredentials;
  /** `error` of the request once REJECTED / FAILED. */
  error?: { code: string; message: string };
  deniedBy?: string;
  denialReason?: string;
  /** Answer POST /v1/requests with this problem. */
  createProblem?: Problem;
  /** Answer approve / deny with this problem. */
  decisionProblem?: Problem;
  /** Answer approve / deny with this body (default `{id, status}`, as a broker before quorums answers). */
  decisionAnswer?: Record<string, unknown>;
  /** Called on every GET of a request (e.g. to simulate Ctrl-C at some point). */
  onGet?: (request: FakeRequest) => void;
  /** Override the verification code the broker answers with. */
  verificationCode?: string;
  /**
   * Behave as a broker with long-polls: a GET carrying `?wait=` answers (its next plan step, at once) with
   * this `Sts-Wait` header. Without it the fake is a broker from before long-polls: it ignores the query.
   */
  waitHeader?: number;
  /** Never answer a GET carrying `?wait=` (as a long-poll that nothing wakes): `onHold` runs when one arrives. */
  holdWaits?: boolean;
  onHold?: (held: { closed: Promise<void> }) => void;
}

export interface FakeBroker {
  url: string;
  /** Every HTTP call received: method, path, parsed body. */
  calls: { method: string; path: string; body: any }[];
  requests: Map<string, FakeRequest>;
  /** Adds a request in a given state (for approve / deny / status). */
  seed(view: Record<string, any>): FakeRequest;
  close(): Promise<void>;
}

export const sampleCredentials = (expiration = new Date(Date.now() + 3600_000).toISOString()): TestCredentials => ({
  AccessKeyId: 'ASIATESTACCESSKEY001',
  SecretAccessKey: 'test/secret+key=0123456789abcdefghijklmn',
  SessionToken: 'IQoJb3JpZ2luX2VjTESTSESSIONTOKEN/+=',
  Expiration: expiration,
});

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
}

function problem(res: ServerResponse, p: Problem) {
  send(
    res,
    p.status,
    { type: 'about:blank', title: p.code, status: p.status, code: p.code, detail: p.detail ?? `problem ${p.code}` },
    'application/problem+json',
  );
}

async function readBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

/** Starts the fake on 127.0.0.1 (random port). */
export async function startFakeBroker(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
  const plan = options.plan ?? ['VERIFYING', 'AWAITING_APPROVAL', 'APPROVED', 'MINTED'];
  const credentials = options.credentials ?? sampleCredentials();
  const calls: FakeBroker['calls'] = [];
  const requests = new Map<string, FakeRequest>();
  const deadline = () => new Date(Date.now() + 900_000).toISOString();

  const server = createHttpServer(async (req, res) => {
    const url = req.url ?? '/';
    const body = await readBody(req);
    calls.push({ method: req.method ?? 'GET', path: url, body });
    // Routes by path alone: query parameters are ignored, as a broker from before long-polls does.
    const [path, queryString = ''] = url.split('?');
    const waiting = new URLSearchParams(queryString).has('wait');
    const match = /^\/v1\/requests\/([^/]+)(?:\/(approve|deny))?$/.exec(path);
    if (req.method === 'GET' && path === '/v1/health') return send(res, 200, { ok: true });
    if (req.method === 'POST' && path === '/v1/requests') {
      if (options.createProblem) return problem(res, options.createProblem);
      const id = newRequestId();
      const view = {
        id,
        status: 'VERIFYING',
        issuer: body.issuer,
        accountName: body.accountName,
        role: body.role,
        secondaryAccountName: body.secondaryAccountName ?? null,
        reason: body.reason ?? null,
        createdAt: new Date().toISOString(),
        decisionDeadline: deadline(),
        approvedBy: null,
        deniedBy: null,
        verificationCode: options.verificationCode ?? verificationCode(id, body.publicKey),
        error: null,
      };
      requests.set(id, { id, body, gets: 0, view });
      return send(res, 202, {
        id,
        status: 'VERIFYING',
        verificationCode: view.verificationCode,
        decisionDeadline: view.decisionDeadline,
      });
    }
    const request = match ? requests.get(decodeURIComponent(match[1])) : undefined;
    if (!request) return problem(res, { status: 404, code: 'not_found', detail: 'No such request.' });
    if (req.method === 'GET' && !match?.[2]) {
      if (waiting && options.holdWaits) {
        const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
        options.onHold?.({ closed });
        return;
      }
      if (waiting && options.waitHeader !== undefined) res.setHeader('Sts-Wait', String(options.waitHeader));
      options.onGet?.(request);
      if (request.body) {
        const step = plan[Math.min(request.gets, plan.length - 1)];
        const { status, approvalsRequired, approvals } = typeof step === 'string' ? { status: step } : step;
        request.gets++;
        request.view.status = status;
        if (status === 'APPROVED' || status === 'MINTED') request.view.approvedBy = approvals?.at(-1) ?? 'bob';
        if (approvalsRequired !== undefined) request.view.approvalsRequired = approvalsRequired;
        if (approvals) {
          request.view.approvals = approvals.map((accountName, i) => ({
            accountName,
            approvedAt: new Date(Date.parse(request.view.createdAt) + (i + 1) * 1000).toISOString(),
          }));
        }
        if (status === 'DENIED') {
          request.view.deniedBy = options.deniedBy ?? 'bob';
          request.view.denialReason = options.denialReason ?? null;
        }
        if (status === 'REJECTED' || status === 'FAILED')
          request.view.error = options.error ?? { code: 'internal', message: 'Internal error.' };
        if (status === 'MINTED') {
          const sealed = await seal(request.body.publicKey, JSON.stringify(credentials), request.id);
          request.view.credentials = { sealed, expiration: credentials.Expiration };
        }
      }
      return send(res, 200, request.view);
    }
    if (req.method === 'POST' && match?.[2]) {
      if (options.decisionProblem) return problem(res, options.decisionProblem);
      if (options.decisionAnswer) {
        request.view.status = String(options.decisionAnswer.status ?? request.view.status);
        return send(res, 200, { id: request.id, ...options.decisionAnswer });
      }
      request.view.status = match[2] === 'approve' ? 'APPROVED' : 'DENIED';
      return send(res, 200, { id: request.id, status: request.view.status });
    }
    return problem(res, { status: 400, code: 'invalid_request' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    requests,
    seed(view) {
      const request: FakeRequest = { id: view.id, body: undefined as any, gets: 0, view };
      requests.set(view.id, request);
      return request;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
// ---------------------------------------------------------------------------------------------------------
// The administrator commands: an in-memory dynalite, a data dir holding a hand-written server.json and a
// real local key, and codes of the devices they enroll.

export const AUTH_TABLE = 'stsftw-auth';

/** The frozen time of the tests that type TOTP codes: 10 s into a time step. */
export const NOW = new Date('2030-01-01T00:00:10.000Z');

/** Freezes `Date` (only `Date`: timers keep running) at `now` for each test of the enclosing suite. */
export function freezeDate(now: Date = NOW): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/** The otpauth URL a terminal transcript showed. */
export function shownUrl(transcript: string): string {
  const match = /otpauth:\/\/\S+/.exec(transcript);
  if (!match) throw new Error('no otpauth URL was shown');
  return match[0];
}

/** The code of `url` at `at`. */
export function codeAt(url: string, at: Date): string {
  return (OTPAuth.URI.parse(url) as OTPAuth.TOTP).generate({ timestamp: at.getTime() });
}

/**
 * Answers code prompts with the code of the previous step first, then the current one (two different steps
 * that the ±1 window accepts at the frozen `now`).
 */
export function twoStepTerminal(now: Date): ScriptedTerminal {
  let asked = 0;
  return new ScriptedTerminal((_question, transcript) => {
    const url = shownUrl(transcript);
    asked++;
    return codeAt(url, new Date(now.getTime() - (asked === 1 ? 30_000 : 0)));
  });
}

/** An in-memory dynalite with an auth table, a data dir describing it, and helpers to look inside. */
export interface LocalBroker {
  endpoint: string;
  dataDir: string;
  keyFile: string;
  client: DynamoDBClient;
  cipher: SecretCipher;
  /** `--local --data-dir <dir>`. */
  localArgs: string[];
  createAuthTable(name?: string): Promise<void>;
  rawItem(issuer: string, accountName: string, table?: string): Promise<Record<string, AttributeValue> | undefined>;
  close(): Promise<void>;
}

/**
 * Starts dynalite (in memory) on a Unix socket in a data dir, as the embedded broker does, and writes
 * `<dataDir>/server.json` naming it. The same store also answers on a loopback TCP port (`endpoint`), which
 * the AWS-mode tests reach through AWS_ENDPOINT_URL_DYNAMODB.
 */
export async function startLocalBroker(): Promise<LocalBroker> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sts-admin-'));
  const socketPath = join(dataDir, 'dynamodb.sock');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const tcp = createHttpServer(server.listeners('request')[0] as RequestListener);
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(tcp.address() as AddressInfo).port}`;
  const keyFile = join(dataDir, 'local.key');
  const cipher = await createLocalCipher(keyFile);
  await writeFile(
    join(dataDir, 'server.json'),
    JSON.stringify({
      version: 2,
      pid: process.pid, // a live process: readServerInfo refuses files left by a dead broker
      endpoint: 'http://127.0.0.1:1',
      dynamodbSocket: socketPath,
      region: 'local',
      authTableName: AUTH_TABLE,
      requestsTableName: 'stsftw-requests',
      keyFile,
      auditLog: join(dataDir, 'audit.log'),
      minter: 'local',
      approvalTimeoutSeconds: 900,
      startedAt: new Date().toISOString(),
    }),
  );
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const broker: LocalBroker = {
    endpoint,
    dataDir,
    keyFile,
    client,
    cipher,
    localArgs: ['--local', '--data-dir', dataDir],
    async createAuthTable(name = AUTH_TABLE) {
      await ensureTable(client, name, authTableKeys, { pollIntervalMs: 10 });
    },
    async rawItem(issuer, accountName, table = AUTH_TABLE) {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: table,
          Key: { issuer: { S: issuer }, account_name: { S: accountName } },
          ConsistentRead: true,
        }),
      );
      return Item;
    },
    async close() {
      client.destroy();
      for (const listening of [tcp, server]) {
        listening.closeAllConnections();
        await new Promise<void>((resolve) => listening.close(() => resolve()));
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  await broker.createAuthTable();
  return broker;
}
// ---------------------------------------------------------------------------------------------------------
// As people run it: child processes

/** Repository root (where `bin/sts.cjs` lives). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The `sts` entry people run (prefers `dist/sts.cjs`, else the sources through tsx). */
export const stsBin = join(repoRoot, 'bin', 'sts.cjs');
const bundle = join(repoRoot, 'dist', 'sts.cjs');
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
 * Builds `dist/sts.cjs` (`node scripts/build.mjs`) when it is missing or older than its sources, so every
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

/** Starts `node bin/sts.cjs …args` as `user` (or with a bare clean environment). */
export function spawnSts(args: string[], user?: User, extra: Env = {}): Background {
  return spawnProcess(process.execPath, [stsBin, ...args], { ...(user?.env ?? cleanEnv()), ...extra });
}

/** Runs `node bin/sts.cjs …args` as `user` to completion. */
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
