/**
 * What `sts` prints for help, version and lines that do not parse, byte for byte, as people run it
 * (`node bin/sts.cjs …`, not a terminal, so no colours). The snapshots were taken before the CLI started
 * registering only the commands a line can select (issue 11 §4): that change must not change a byte.
 * A deliberate change of a help text updates them with `npx vitest run -u test/integration/cli-output.test.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, ensureBundle, type Run, runSts } from '../support/cli-harness.js';

const ID = 'r_0123456789abcdefghjkmnpqrs';

/** Every command path: each one's `--help` is snapshotted, so each stays reachable and keeps its text. */
const COMMANDS = [
  'request',
  'wait',
  'status',
  'get',
  'exec',
  'approve',
  'deny',
  'cache',
  'cache clear',
  'configure',
  'enroll',
  'list',
  'update',
  'update roles',
  'update authorizers',
  'update approvals',
  'update device',
  'remove',
  'migrate',
  'server',
];

/** Lines that clipanion answers (help, version) or that `sts` answers with one sentence. */
const LINES: string[][] = [
  ['--help'],
  ['-h'],
  [],
  ['--version'],
  ['-v'],
  ...COMMANDS.map((command) => [...command.split(' '), '--help']),
  ['get', '-h'],
  ['update', '-h'],
  ['get', '--help', 'extra'],
  // typos and lines that do not parse
  ['help'],
  ['help', 'get'],
  ['aprove', ID],
  ['requets'],
  ['frobnicate'],
  ['approve'],
  ['update'],
  ['cache'],
  ['update', 'rols', 'Admin'],
  ['update', 'device', 'x'],
  ['cache', 'clar'],
  ['request', '--acount-name', 'bob'],
  ['get', '--formt=json'],
  ['update', 'roles', '--isuer', 'acme', 'Admin'],
  ['approve', ID, '--yess'],
  ['--help', 'extra'],
  ['-x'],
  ['--isuer', 'acme', 'get'],
  ['status', '--json', 'a', 'b'],
  ['server', '--port', 'abc'],
  ['get', '--totp-code'],
  ['get', '--totp-code', '12x456', '--duration', 'soon'],
  ['exec'],
  ['deny', ID, '--reason'],
  // lines that parse, in a HOME with nothing configured
  ['status', ID],
  ['approve', ID],
  ['--json', 'status', ID],
];

let home: string;
const runs = new Map<string, Run>();

beforeAll(async () => {
  ensureBundle();
  home = mkdtempSync(join(tmpdir(), 'sts-cli-output-'));
  const env = cleanEnv({ HOME: join(home, 'nobody') });
  const queue = [...LINES];
  const worker = async () => {
    for (let argv = queue.shift(); argv; argv = queue.shift())
      runs.set(argv.join(' '), await runSts(argv, undefined, env));
  };
  await Promise.all([worker(), worker(), worker()]);
}, 300_000);

afterAll(() => rmSync(home, { recursive: true, force: true }));

/** The run as one text: exit code, stdout, stderr (the temporary HOME written as $HOME). */
function transcript(run: Run): string {
  const clean = (text: string) => text.replaceAll(home, '$TMP');
  return `exit ${run.code}\n--- stdout\n${clean(run.stdout)}--- stderr\n${clean(run.stderr)}`;
}

describe('sts output is unchanged', () => {
  it('sts --help, byte for byte', async () => {
    const run = runs.get('--help');
    expect(run?.code).toBe(0);
    await expect(run?.stdout).toMatchFileSnapshot('__snapshots__/sts-help.txt');
    expect(run?.stderr).toBe('');
  });

  it.each(LINES.map((argv) => [argv.join(' ')]))('sts %s', (line) => {
    const run = runs.get(line);
    expect(run).toBeDefined();
    expect(transcript(run as Run)).toMatchSnapshot();
  });
});
