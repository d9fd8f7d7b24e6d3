/**
 * What each `sts` command line loads, as people run it (`node bin/sts.cjs …`, the esbuild bundle): a loader
 * hook (test/support/record-loads.mjs) records every module the process loads, and dist/contents.json (written
 * by the build) says which sources each chunk holds. Issue 11 §4: a command line loads the command classes
 * (one chunk) but nothing that a command imports only when it runs; `sts --help`, `sts <command> --help` and
 * `sts --version` print the texts the build wrote (cli/prebuilt-help.ts) and, like the warm credential_process
 * path, load not even clipanion; nothing here initialises ICU's collation. (Which commands
 * are registered, and so parsed, is test/unit/cli/command-groups.test.ts.) Nothing here is timed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCachedCredentials } from '../../cli/credential-cache.js';
import { cleanEnv, describeRun, ensureBundle, repoRoot, runProcess, stsBin } from '../support/cli-harness.js';

const ID = 'r_0123456789abcdefghjkmnpqrs';
const hook = pathToFileURL(join(repoRoot, 'test', 'support', 'record-loads.mjs')).href;

/** What one run loaded: repository-relative source paths (bundled or not), and whether ICU collation ran. */
interface Loads {
  sources: string[];
  collation: boolean;
  /** The `cli/commands/…` modules among the sources. */
  commands: string[];
  /** The files of the bundle loaded (`dist/…`). */
  bundle: string[];
  /** The files loaded as ES modules (through the ESM loader), this hook aside. */
  esModules: string[];
}

let root: string;
let env: Record<string, string>;
let contents: Record<string, string[]>;

async function loads(argv: string[], expectedExit = 0): Promise<Loads> {
  const record = join(root, `loads-${Math.random().toString(36).slice(2)}.txt`);
  const run = await runProcess(process.execPath, ['--import', hook, stsBin, ...argv], {
    ...env,
    STSFTW_RECORD_LOADS: record,
  });
  expect(run.code, describeRun(run)).toBe(expectedExit);
  const lines = readFileSync(record, 'utf8').split('\n').filter(Boolean);
  const sources = new Set<string>();
  const bundle: string[] = [];
  const esm = new Set<string>();
  for (const entry of lines) {
    const commonjs = entry.startsWith('commonjs:');
    const line = commonjs ? entry.slice('commonjs:'.length) : entry;
    if (!line.startsWith('file:')) continue;
    const path = relative(repoRoot, fileURLToPath(line));
    if (!commonjs && line !== hook) esm.add(path);
    if (path.startsWith('dist/') && !bundle.includes(path)) bundle.push(path);
    const chunk = relative('dist', path);
    for (const source of path.startsWith('dist/') ? (contents[chunk] ?? [chunk]) : [path]) sources.add(source);
  }
  const list = [...sources].sort();
  return {
    sources: list,
    collation: lines.includes('intl:collation'),
    commands: list.filter((source) => source.startsWith('cli/commands/') && source !== 'cli/commands/index.ts'),
    bundle: bundle.sort(),
    esModules: [...esm].sort(),
  };
}

/** The AWS SDK (the broker and administrator commands talk to AWS through it). */
const SDK = /^node_modules\/(@aws-sdk|@smithy)\//;
/** The embedded broker and the server side: HTTP server, dynalite, Step Functions, Lambda code, CDK. */
const SERVER =
  /^(node_modules\/(hono|@hono|dynalite|aws-local-stepfunctions|aws-cdk-lib|constructs)\/|lambdas\/(adapters\/local|api|handlers)\/|infra\/)/;
/** What commands import inside `execute()`: request flows, the HTTP client, admin back ends, QR codes, TOTP. */
const RUN_TIME =
  /^(cli\/request-flow\/|cli\/(client|child|stack-outputs|console-url|browser|identity)\.ts$|cli\/admin\/(backend|device-setup|migration|qr)\.ts$|lambdas\/core\/sealing\.ts$|node_modules\/(otpauth|qrcode-terminal)\/)/;
/** Sealing and unsealing credentials: only the commands that receive them need it. */
const HPKE = /^node_modules\/@hpke\//;

const matching = (sources: string[], pattern: RegExp) => sources.filter((source) => pattern.test(source));

beforeAll(() => {
  ensureBundle();
  contents = JSON.parse(readFileSync(join(repoRoot, 'dist', 'contents.json'), 'utf8'));
  root = mkdtempSync(join(tmpdir(), 'sts-cli-loads-'));
  env = cleanEnv({ HOME: join(root, 'home') });
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('what a command line loads', () => {
  it.each([['--help'], ['-h'], ['--version'], ['approve', '--help'], ['update', 'roles', '-h']])(
    'sts %j prints its prebuilt text: one file of the bundle, no command, no clipanion, no ICU collation',
    async (...argv) => {
      const seen = await loads(argv);
      expect(seen.bundle).toEqual(['dist/sts.cjs']);
      expect(seen.esModules).toEqual([]);
      expect(seen.sources).toContain('cli/prebuilt-help.ts');
      expect(seen.commands).toEqual([]);
      expect(matching(seen.sources, /^node_modules\/(clipanion|typanion)\//)).toEqual([]);
      expect(seen.collation).toBe(false);
    },
  );

  it.each([
    [['approve', ID], 64],
    [['deny', ID, '--reason', 'no'], 64],
    [['console', '--print-url'], 64],
    [['status', ID], 64],
    // help lines the prebuilt texts do not answer (an option before the flag) still go to the CLI
    [['get', '--format', 'json', '--help'], 0],
    [['configure', '--local', '--help'], 0],
  ] as [string[], number][])(
    'sts %j loads no server and none of what commands import when they run',
    async (argv, exit) => {
      const seen = await loads(argv, exit);
      expect(seen.commands).toContain(`cli/commands/${argv[0]}.ts`);
      expect(matching(seen.sources, SERVER)).toEqual([]);
      expect(matching(seen.sources, RUN_TIME)).toEqual([]);
      expect(seen.collation).toBe(false);
    },
  );

  it('sts approve and sts --version load no AWS SDK and no HPKE', async () => {
    for (const argv of [['approve', ID], ['--version']]) {
      const seen = await loads(argv, argv[0] === 'approve' ? 64 : 0);
      expect(matching(seen.sources, SDK)).toEqual([]);
      expect(matching(seen.sources, HPKE)).toEqual([]);
    }
  });

  it('a line that does not parse still loads every command (for "did you mean"), and no server', async () => {
    const seen = await loads(['aprove', ID], 1);
    expect(seen.commands).toContain('cli/commands/approve.ts');
    expect(seen.commands).toContain('cli/commands/server.ts');
    expect(matching(seen.sources, SERVER)).toEqual([]);
  });

  it('the warm credential_process path loads one file of the bundle: no command, no clipanion, no SDK, no server', async () => {
    const settings = { endpoint: 'https://sts.example.com', issuer: 'acme', accountName: 'alice', role: 'admin' };
    writeCachedCredentials(env, settings, {
      AccessKeyId: 'ASIAWARMCACHE',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3600_000).toISOString(),
    });
    const argv = ['get', '--endpoint', settings.endpoint, '--issuer', 'acme', '--account-name', 'alice'];
    const seen = await loads([...argv, '--role', 'admin', '--format', 'credential-process']);
    expect(seen.bundle).toEqual(['dist/sts.cjs']);
    // CommonJS only (bin/sts.cjs, dist/sts.cjs): the ES module loader reads no file.
    expect(seen.esModules).toEqual([]);
    expect(seen.sources).toContain('cli/fast-path.ts');
    expect(seen.commands).toEqual([]);
    expect(matching(seen.sources, /^node_modules\/(clipanion|typanion)\//)).toEqual([]);
    expect(matching(seen.sources, SDK)).toEqual([]);
    expect(matching(seen.sources, SERVER)).toEqual([]);
    expect(matching(seen.sources, HPKE)).toEqual([]);
    expect(seen.collation).toBe(false);
  });
});
