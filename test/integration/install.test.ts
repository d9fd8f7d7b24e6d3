/**
 * Issue 7 item 11: the packed package is self-contained. `npm pack`, install the tarball into a fresh
 * prefix (from npm's cache, as after `npm ci`), then run `sts` as a new user would: plain `sts` on PATH, a
 * fresh HOME, a working directory outside the clone, no npm in the environment. Every command the tools
 * print is run as printed (only flags that a terminal would otherwise ask for are added). Nothing is timed;
 * limits only turn a hang into a failure.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeBook,
  describeRun,
  type Enrolled,
  ensureBundle,
  type Run,
  repoRoot,
  runProcess,
  spawnProcess,
} from '../support/cli-harness.js';

const run = promisify(execFile);

let root: string;
let prefix: string;
let env: Record<string, string>;

/** `sts …args` from `cwd`, found on PATH like a shell would. */
function sts(args: string[], cwd: string): Promise<Run> {
  return runProcess('sts', args, env, cwd);
}

/** A printed command as argv (the printed lines hold no quotes here: no path has spaces). */
function words(line: string): string[] {
  expect(line).not.toMatch(/['"\\]/);
  return line.trim().split(/\s+/);
}

beforeAll(async () => {
  ensureBundle(); // packed as it is: --ignore-scripts keeps `npm pack` from rebuilding under other tests
  root = mkdtempSync(join(tmpdir(), 'sts-install-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], {
    cwd: repoRoot,
  });
  const [{ filename }] = JSON.parse(stdout) as { filename: string }[];
  prefix = join(root, 'prefix');
  await run(
    'npm',
    ['install', '-g', '--prefix', prefix, join(root, filename), '--prefer-offline', '--no-audit', '--no-fund'],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
  );
  const home = join(root, 'home');
  mkdirSync(home);
  // What a new user's shell has: PATH (the install, node, the system) and HOME. No npm_*, no STS_*, no AWS_*.
  env = { PATH: [join(prefix, 'bin'), dirname(process.execPath), '/usr/bin', '/bin'].join(':'), HOME: home };
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('sts installed from the packed tarball', () => {
  it('runs from any directory: --version, server, enroll --local, request, approve, wait, configure', async () => {
    const work = join(root, 'work');
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(work);
    mkdirSync(elsewhere);
    expect(existsSync(join(prefix, 'lib', 'node_modules', 'stsftw', 'dist', 'sts.cjs'))).toBe(true);

    const version = await sts(['--version'], elsewhere);
    expect(version.code, describeRun(version)).toBe(0);
    expect(version.stdout.trim()).toBe('2.0.0');

    const server = spawnProcess('sts', ['server', '--port', '0'], env, work);
    let exited = false;
    void server.done.then(() => {
      exited = true;
    });
    try {
      for (let i = 0; i < 1200 && !exited && !server.stdout().includes('Ctrl-C stops'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const banner = server.stdout();
      expect(banner, server.stderr()).toContain(`Data: ${join(work, '.stsftw')}`);
      const printed = banner
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.startsWith('sts ') || line.startsWith('npx '));
      expect(printed).toHaveLength(4);
      expect(banner).not.toContain('npx');
      const [enrollAlice, enrollBob, request] = printed;

      // 1. Enroll, as printed (no terminal to scan a QR code on: --no-verify --json hands over the URL).
      const codes = new CodeBook();
      for (const line of [enrollAlice, enrollBob]) {
        const enrolled = await sts([...words(line).slice(1), '--no-verify', '--json'], work);
        expect(enrolled.code, describeRun(enrolled)).toBe(0);
        codes.add(JSON.parse(enrolled.stdout) as Enrolled);
      }

      // 2. Request as alice, as printed (the code a prompt would ask for; --no-wait to run the approver).
      const requested = await sts(
        [...words(request).slice(1), '--totp-code', await codes.next('alice'), '--no-wait'],
        work,
      );
      expect(requested.code, describeRun(requested)).toBe(0);
      const id = requested.stdout.trim();
      expect(id).toMatch(/^r_[0-9a-z]{26}$/);

      // 3. The approver's command sts request printed, with bob's name where it says <you>.
      const approver = /approver runs {7}(.*)$/m.exec(requested.stderr)?.[1];
      expect(approver).toBe(`sts approve --local ${id} --issuer demo --account-name <you>`);
      const approveArgs = words(approver ?? '')
        .slice(1)
        .map((word) => (word === '<you>' ? 'bob' : word));
      const approved = await sts([...approveArgs, '--yes', '--totp-code', await codes.next('bob')], work);
      expect(approved.code, describeRun(approved)).toBe(0);

      // 4. The command sts request said collects the credentials.
      const collect = /collect the credentials with `([^`]+)`/i.exec(requested.stderr)?.[1];
      expect(collect).toBe(`sts wait ${id}`);
      const waited = await sts(words(collect ?? '').slice(1), work);
      expect(waited.code, describeRun(waited)).toBe(0);
      expect(waited.stdout).toMatch(/^export AWS_ACCESS_KEY_ID=ASIALOCAL[A-Z0-9]+$/m);

      // A profile with the local broker works from any directory.
      const configured = await sts(
        ['configure', '--local', '--data-dir', join(work, '.stsftw'), '--issuer', 'demo'],
        elsewhere,
      );
      expect(configured.code, describeRun(configured)).toBe(0);
      const listed = await sts(['list', '--json'], root);
      expect(listed.code, describeRun(listed)).toBe(0);
      expect(JSON.parse(listed.stdout).map((view: { accountName: string }) => view.accountName)).toEqual([
        'alice',
        'bob',
      ]);
    } finally {
      server.child.kill('SIGTERM');
      const stopped = await server.done;
      expect(stopped.code, describeRun(stopped)).toBe(0);
    }
  });
});
