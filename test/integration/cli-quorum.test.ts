/**
 * Approval quorums (issue 9) through the `sts` command line as people run it: `sts server` and every `sts`
 * command as child processes, each person with a HOME of their own. The rules (BreakGlass needs 2, Admin 1,
 * ReadOnly none) are written straight into the embedded broker's auth table through its DynamoDB adapter.
 * Nothing here is timed: limits only turn a hang into a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuthStore } from '../../lambdas/adapters/aws/dynamo-auth-store.js';
import { localDynamoClient } from '../../lambdas/adapters/local/local-dynamo.js';
import { readServerInfo } from '../../lambdas/adapters/local/server-info.js';
import type { ApprovalRule } from '../../lambdas/core/types.js';
import {
  CodeBook,
  describeRun,
  enroll,
  ensureBundle,
  makeUser,
  type Run,
  runSts,
  type ServerProcess,
  spawnSts,
  startServer,
  type User,
} from '../support/cli-harness.js';

const ISSUER = 'quorum';
const ROLES = ['ReadOnly', 'Admin', 'BreakGlass'];
const APPROVERS = ['bob', 'carol', 'dave', 'erin'];
/** The example team of issue 9. */
const RULES: ApprovalRule[] = [
  { role: 'ReadOnly', approvals: 0 },
  { role: 'Admin', approvals: 1 },
  { role: 'BreakGlass', approvals: 2 },
];
const REQUESTERS = ['alice1', 'alice2', 'alice3', 'alice4'];
const REQUEST_ID = /Request (r_[0-9a-z]{26})\b/;
const LOCAL_KEY_ID = /^ASIALOCAL[A-Z0-9]+$/;

let root: string;
let server: ServerProcess;
const codes = new CodeBook();
let people = 0;

function person(name: string): User {
  people += 1;
  return makeUser(join(root, 'homes'), `${name}-${people}`, { STS_DATA_DIR: server.dataDir });
}

/** How `accountName` reaches the broker, asking for `role`. */
function as(accountName: string, role: string): string[] {
  return ['--local', '--issuer', ISSUER, '--account-name', accountName, '--role', role];
}

async function approve(id: string, approver: string): Promise<Run> {
  const args = ['approve', id, '--local', '--issuer', ISSUER, '--account-name', approver, '--yes'];
  return runSts([...args, '--totp-code', await codes.next(approver)], person(approver));
}

/** `sts get` in one shot: the requester's code and `approver`'s. */
async function singleShot(accountName: string, role: string, approver: string): Promise<string[]> {
  const own = ['--totp-code', await codes.next(accountName)];
  const second = ['--secondary-authorizer', approver, '--secondary-totp-code', await codes.next(approver)];
  return ['get', ...as(accountName, role), ...own, ...second];
}

/** The last line of stderr: the one `sts: …` sentence of a refusal. */
const sentence = (run: Run) => run.stderr.trim().split('\n').at(-1) ?? '';

beforeAll(async () => {
  ensureBundle();
  root = mkdtempSync(join(tmpdir(), 'sts-cli-quorum-'));
  server = await startServer({
    dataDir: join(root, 'broker'),
    approvalTimeoutSeconds: 120,
    home: join(root, 'homes', 'server'),
  });
  const enrolled = await Promise.all(APPROVERS.map((accountName) => enroll(server.dataDir, ISSUER, { accountName })));
  enrolled.push(
    ...(await Promise.all(
      REQUESTERS.map((accountName) =>
        enroll(server.dataDir, ISSUER, { accountName, roles: ROLES, authorizers: APPROVERS }),
      ),
    )),
  );
  for (const account of enrolled) codes.add(account);
  const info = await readServerInfo(server.dataDir);
  const dynamodb = localDynamoClient(info);
  try {
    const store = new DynamoAuthStore(dynamodb, info.authTableName);
    for (const accountName of REQUESTERS) await store.update(ISSUER, accountName, { approvalRules: RULES });
  } finally {
    dynamodb.destroy();
  }
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('a role that needs two approvers', () => {
  it('sts request shows each approval arrive; a second approval by bob is refused; carol completes it', async () => {
    const requester = person('alice1');
    const request = spawnSts(
      ['request', ...as('alice1', 'BreakGlass'), '--totp-code', await codes.next('alice1')],
      requester,
    );
    const id = (await request.waitForStderr(REQUEST_ID))[1];
    await request.waitForStderr(/needs 2 approvals\./);

    const first = await approve(id, 'bob');
    expect(first.code, describeRun(first)).toBe(0);
    expect(first.stdout).toBe(`Your approval of ${id} is counted (1 of 2); 1 more approval is needed.\n`);
    await request.waitForStderr(/approvals: 1 of 2 \(bob\)/);

    const status = await runSts(['status', id, '--local'], person('auditor'));
    expect(status.code, describeRun(status)).toBe(0);
    expect(status.stdout).toMatch(/approvals {10}1 of 2\n {21}bob at /);

    const again = await approve(id, 'bob');
    expect(again.code, describeRun(again)).toBe(6);
    expect(sentence(again)).toMatch(/^sts: .*already counted.*Nothing to do.*\(already_approved\)$/);

    const second = await approve(id, 'carol');
    expect(second.code, describeRun(second)).toBe(0);
    expect(second.stdout).toBe(
      `Approved ${id}: the quorum is complete (2 of 2), alice1's credentials are being minted.\n`,
    );

    const run = await request.done;
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toMatch(/^export AWS_ACCESS_KEY_ID=ASIALOCAL/m);
    expect(run.stderr.split('\n').filter((line) => line.startsWith('approvals: '))).toEqual([
      'approvals: 1 of 2 (bob)',
      'approvals: 2 of 2 (bob, carol)',
    ]);
  });

  it('sts get refuses to wait (exit 4, names sts request); sts wait collects once two approvers approved', async () => {
    const requester = person('alice2');
    const got = await runSts(
      ['get', ...as('alice2', 'BreakGlass'), '--totp-code', await codes.next('alice2')],
      requester,
    );
    expect(got.code, describeRun(got)).toBe(4);
    expect(got.stdout).toBe('');
    const refusal = sentence(got);
    expect(refusal).toContain('`sts request`');
    expect(refusal).toContain('(approvals_required)');
    const id = /`sts wait (r_[0-9a-z]{26})`/.exec(refusal)?.[1];
    expect(id, refusal).toBeTruthy();

    const wait = spawnSts(['wait', id as string, '--format', 'json'], requester);
    for (const approver of ['dave', 'erin']) {
      const approved = await approve(id as string, approver);
      expect(approved.code, describeRun(approved)).toBe(0);
    }
    const waited = await wait.done;
    expect(waited.code, describeRun(waited)).toBe(0);
    expect(JSON.parse(waited.stdout).AccessKeyId).toMatch(LOCAL_KEY_ID);
  });

  it('sts get refuses also when its --secondary-totp-code counted as the first approval', async () => {
    const got = await runSts(await singleShot('alice3', 'BreakGlass', 'dave'), person('alice3'));
    expect(got.code, describeRun(got)).toBe(4);
    expect(sentence(got)).toContain('(1 of 2 so far)');
    expect(sentence(got)).toContain('`sts request`');
  });
});

describe('roles that need none or one approval behave as before', () => {
  it('ReadOnly (0) mints with the requester’s code alone; Admin (1) in one shot with a second code', async () => {
    const requester = person('alice4');
    const readOnly = await runSts(
      ['get', ...as('alice4', 'ReadOnly'), '--totp-code', await codes.next('alice4')],
      requester,
    );
    expect(readOnly.code, describeRun(readOnly)).toBe(0);
    expect(readOnly.stdout).toMatch(/^export AWS_ACCESS_KEY_ID=ASIALOCAL/m);
    expect(readOnly.stderr).not.toContain('approv');

    const admin = await runSts(await singleShot('alice4', 'Admin', 'erin'), requester);
    expect(admin.code, describeRun(admin)).toBe(0);
    expect(admin.stdout).toMatch(/^export AWS_ACCESS_KEY_ID=ASIALOCAL/m);
  });
});
