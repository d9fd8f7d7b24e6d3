/**
 * Approval rules through the administrator commands, as people run them (issue 9): `sts server` and every
 * `sts` command as child processes of the bundle. The example team: alice may assume ReadOnly (self-service),
 * Admin (one approval, from bob, her secondary authorizer) and BreakGlass (two of the security team, sec1 and
 * sec2). Every refusal exits 2 with one sentence and changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeBook,
  describeRun,
  type Enrolled,
  enroll,
  ensureBundle,
  makeUser,
  type Run,
  runSts,
  type ServerProcess,
  startServer,
  type User,
} from '../support/cli-harness.js';

const ISSUER = 'acme';
const TEAM_RULES = ['ReadOnly=0', 'Admin=1', 'BreakGlass=2:sec1,sec2'];

let root: string;
let server: ServerProcess;
let admin: User;
const codes = new CodeBook();

/** `--local --data-dir … --issuer acme`. */
const local = () => ['--local', '--data-dir', server.dataDir, '--issuer', ISSUER];
const alice = () => [...local(), '--account-name', 'alice'];
const sts = (args: string[]): Promise<Run> => runSts(args, admin);

/** What `sts list --json` says of `accountName` (undefined if not enrolled). */
async function viewOf(accountName: string): Promise<Record<string, unknown> | undefined> {
  const run = await sts(['list', ...local(), '--json']);
  expect(run.code, describeRun(run)).toBe(0);
  return (JSON.parse(run.stdout) as { accountName: string }[]).find((view) => view.accountName === accountName);
}

/** The APPROVALS cell of `accountName` in `sts list` (the last column). */
async function listedApprovals(accountName: string): Promise<string | undefined> {
  const run = await sts(['list', ...local()]);
  expect(run.code, describeRun(run)).toBe(0);
  const [header, ...rows] = run.stdout.trimEnd().split('\n');
  expect(header).toMatch(/\bAPPROVALS$/);
  return rows
    .map((row) => row.split(/\s{2,}/))
    .find((cells) => cells[0] === accountName)
    ?.at(-1);
}

beforeAll(async () => {
  ensureBundle();
  root = mkdtempSync(join(tmpdir(), 'sts-rules-'));
  server = await startServer({
    dataDir: join(root, 'broker'),
    approvalTimeoutSeconds: 120,
    home: join(root, 'server'),
  });
  admin = makeUser(root, 'admin');
  for (const accountName of ['bob', 'sec1', 'sec2'])
    codes.add(await enroll(server.dataDir, ISSUER, { accountName }, admin));
});
afterAll(async () => {
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('approval rules in the administrator commands, against sts server', () => {
  it('enrolls the example team with --approvals and lists its rules (text and --json)', async () => {
    const run = await sts([
      'enroll',
      ...alice(),
      '--roles',
      'ReadOnly,Admin,BreakGlass',
      '--secondary-authorizers',
      'bob',
      ...TEAM_RULES.flatMap((rule) => ['--approvals', rule]),
      '--no-verify',
      '--json',
    ]);
    expect(run.code, describeRun(run)).toBe(0);
    const enrolled = JSON.parse(run.stdout) as Enrolled;
    expect(Object.keys(enrolled).sort()).toEqual(['accountName', 'issuer', 'otpauthUrl']);
    codes.add(enrolled);

    expect(await listedApprovals('alice')).toBe('ReadOnly=0, Admin=1, BreakGlass=2:sec1,sec2');
    expect(await listedApprovals('bob')).toBe('-');
    expect((await viewOf('alice'))?.approvalRules).toEqual([
      { role: 'ReadOnly', approvals: 0 },
      { role: 'Admin', approvals: 1 },
      { role: 'BreakGlass', approvals: 2, approvers: ['sec1', 'sec2'] },
    ]);
  });

  it('the broker applies the stored rule: ReadOnly mints on her own code although she has an authorizer', async () => {
    const readOnly = await runSts(
      ['get', ...alice(), '--role', 'ReadOnly', '--totp-code', await codes.next('alice'), '--format', 'json'],
      makeUser(root, 'alice-machine'),
    );
    expect(readOnly.code, describeRun(readOnly)).toBe(0);
    expect(JSON.parse(readOnly.stdout).AccessKeyId).toMatch(/^ASIALOCAL/);
  });

  it.each([
    ['more approvals than approvers', ['update', 'approvals', 'BreakGlass=3:sec1,sec2'], 'its own list names 2'],
    ['an approver not enrolled', ['update', 'approvals', 'BreakGlass=2:sec1,ghost'], 'ghost is not enrolled in acme'],
    ['alice as her own approver', ['update', 'approvals', 'BreakGlass=1:alice'], 'cannot approve their own requests'],
    ['a role alice does not have', ['update', 'approvals', 'Ops=1'], 'names "Ops", which is not one of'],
    ['N above 5', ['update', 'approvals', 'Admin=6'], 'must ask for 0 to 5 approvals'],
    ['a malformed rule', ['update', 'approvals', 'Admin=one'], 'An approval rule reads ROLE=N'],
    ['nothing to change', ['update', 'approvals'], 'Give at least one rule'],
    ['roles that leave out a ruled role', ['update', 'roles', 'ReadOnly', 'Admin'], '--clear BreakGlass`'],
    ['authorizers too few for Admin=1', ['update', 'authorizers', '--none'], 'rule Admin=1 needs 1 approval'],
  ])('refuses %s with exit 2 and one sentence, changing nothing', async (_what, command, message) => {
    const before = await viewOf('alice');
    const run = await sts([...command, ...alice()]);
    expect(run.code, describeRun(run)).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toMatch(/^sts: [^\n]+\n$/);
    expect(run.stdout).toBe('');
    expect(await viewOf('alice')).toEqual(before);
  });

  it('refuses to enroll with a rule naming an approver not enrolled, storing nothing', async () => {
    const run = await sts([
      'enroll',
      ...local(),
      '--account-name',
      'dave',
      '--roles',
      'Admin',
      '--approvals',
      'Admin=1:ghost',
      '--no-verify',
      '--json',
    ]);
    expect(run.code, describeRun(run)).toBe(2);
    expect(run.stderr).toBe(
      'sts: ghost is not enrolled in acme: enroll that account first, then name it as approvers.\n',
    );
    expect(await viewOf('dave')).toBeUndefined();
  });

  it('updates one rule and clears another, keeping the rest', async () => {
    const update = await sts(['update', 'approvals', ...alice(), 'BreakGlass=1:sec1', '--clear', 'Admin']);
    expect(update.code, describeRun(update)).toBe(0);
    expect(update.stdout).toBe(
      'Approval rules of alice in acme: ReadOnly=0, BreakGlass=1:sec1; other roles: 1 of the secondary authorizers.\n',
    );
    expect(await listedApprovals('alice')).toBe(
      'ReadOnly=0, BreakGlass=1:sec1; other roles: 1 of the secondary authorizers',
    );

    // Admin has no rule now, so the roles may leave it out; `*` then stands for the rest.
    expect((await sts(['update', 'roles', 'ReadOnly', 'BreakGlass', ...alice()])).code).toBe(0);
    const every = await sts(['update', 'approvals', ...alice(), '*=0', '--json']);
    expect(every.code, describeRun(every)).toBe(0);
    expect(JSON.parse(every.stdout)).toMatchObject({
      roles: ['ReadOnly', 'BreakGlass'],
      approvalRules: [
        { role: 'ReadOnly', approvals: 0 },
        { role: 'BreakGlass', approvals: 1, approvers: ['sec1'] },
        { role: '*', approvals: 0 },
      ],
    });

    const clear = await sts([
      'update',
      'approvals',
      ...alice(),
      '--clear',
      'ReadOnly',
      '--clear',
      'BreakGlass',
      '--clear',
      '*',
    ]);
    expect(clear.code, describeRun(clear)).toBe(0);
    expect(clear.stdout).toBe(
      'Approval rules of alice in acme: none (every role needs 1 of the secondary authorizers).\n',
    );
    expect((await viewOf('alice'))?.approvalRules).toEqual([]);
    expect(await listedApprovals('alice')).toBe('1 of the secondary authorizers');
  });
});
