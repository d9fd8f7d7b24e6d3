/**
 * The `sts` command line end to end, as people run it: `sts server` and every `sts` command as separate
 * child processes, the requester and the approver each with a HOME (and XDG directories) of their own.
 * Nothing here is timed: limits only turn a hang into a failure.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccountSpec,
  CodeBook,
  closedPort,
  describeRun,
  enroll,
  ensureBundle,
  makeUser,
  type Run,
  runProcess,
  runSts,
  type ServerProcess,
  spawnSts,
  startServer,
  stsBin,
  type User,
} from '../support/cli-harness.js';

const ISSUER = 'e2e';
const ROLE = 'Admin';
const APPROVERS = ['bob', 'carol', 'dave', 'erin'];
const REQUEST_ID = /Request (r_[0-9a-z]{26})\b/;
/** Local credentials are marked as such (docs/design.md §7). */
const LOCAL_KEY_ID = /^ASIALOCAL[A-Z0-9]+$/;
/** The approval window of the main broker: long enough that no approval here races it. */
const APPROVAL_TIMEOUT = 120;
/** The approval window of the broker used to see a request expire. */
const SHORT_APPROVAL_TIMEOUT = 3;

let root: string;
let server: ServerProcess;
let shortServer: ServerProcess;
const codes = new CodeBook();
let userCount = 0;

/** A fresh person (HOME of their own) for one test. */
function person(name: string, extra: Record<string, string> = {}): User {
  userCount += 1;
  return makeUser(join(root, 'homes'), `${name}-${userCount}`, extra);
}

/** The approver's machine: reaches the broker through `STS_DATA_DIR` and `--local`. */
function approverOf(broker: ServerProcess): User {
  return person('approver', { STS_DATA_DIR: broker.dataDir });
}

/** `--local --data-dir … --issuer … --account-name … --role …`: how the requester reaches the main broker. */
function as(accountName: string, broker = server): string[] {
  return ['--local', '--data-dir', broker.dataDir, '--issuer', ISSUER, '--account-name', accountName, '--role', ROLE];
}

/** The `export NAME=value` lines of `sts … --format env`, as a map. */
function parseExports(stdout: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of stdout.split('\n').filter(Boolean)) {
    const match = /^export ([A-Z_]+)=(.*)$/.exec(line);
    if (!match) throw new Error(`not an export line: ${line}`);
    const value = match[2];
    vars[match[1]] = value.startsWith("'") ? value.slice(1, -1).replaceAll(`'\\''`, "'") : value;
  }
  return vars;
}

/** Asserts `run` failed with exactly one `sts: …` sentence on stderr and no stack trace. */
function expectOneSentence(run: Run, exitCode: number, sentence: RegExp): void {
  expect(run.code, describeRun(run)).toBe(exitCode);
  const lines = run.stderr.trim().split('\n');
  expect(lines.at(-1)).toMatch(/^sts: /);
  expect(lines.at(-1)).toMatch(sentence);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stdout).toBe('');
}

/** The files of `user`'s pending request keys. */
function pendingKeys(user: User): string[] {
  const dir = join(user.env.XDG_STATE_HOME, 'stsftw', 'requests');
  return existsSync(dir) ? readdirSync(dir) : [];
}

beforeAll(async () => {
  ensureBundle();
  root = mkdtempSync(join(tmpdir(), 'sts-cli-e2e-'));
  const started = await Promise.allSettled([
    startServer({
      dataDir: join(root, 'broker'),
      approvalTimeoutSeconds: APPROVAL_TIMEOUT,
      home: join(root, 'homes', 'server'),
    }),
    startServer({
      dataDir: join(root, 'short-broker'),
      approvalTimeoutSeconds: SHORT_APPROVAL_TIMEOUT,
      home: join(root, 'homes', 'short-server'),
    }),
  ]);
  // Keep whichever started, so afterAll stops it even when the other failed.
  if (started[0].status === 'fulfilled') server = started[0].value;
  if (started[1].status === 'fulfilled') shortServer = started[1].value;
  for (const result of started) if (result.status === 'rejected') throw result.reason;
  const approvers: AccountSpec[] = APPROVERS.map((accountName) => ({ accountName }));
  const requester = (accountName: string): AccountSpec => ({ accountName, roles: [ROLE], authorizers: APPROVERS });
  const solo = (accountName: string): AccountSpec => ({ accountName, roles: [ROLE] });
  // Approvers first, so enrolling the requesters finds them. Names are unique across both brokers (the
  // code book knows accounts by name), and each account is used for at most two codes.
  const enrolled = await Promise.all([
    ...approvers.map((spec) => enroll(server.dataDir, ISSUER, spec)),
    enroll(shortServer.dataDir, ISSUER, { accountName: 'oscar' }),
  ]);
  enrolled.push(
    ...(await Promise.all([
      ...['alice1', 'alice2', 'alice3', 'alice4'].map((name) => enroll(server.dataDir, ISSUER, requester(name))),
      ...['solo1', 'solo2', 'solo3', 'solo4', 'solo5'].map((name) => enroll(server.dataDir, ISSUER, solo(name))),
      enroll(shortServer.dataDir, ISSUER, { accountName: 'alice5', roles: [ROLE], authorizers: ['oscar'] }),
    ])),
  );
  for (const account of enrolled) codes.add(account);
}, 180_000);

afterAll(async () => {
  await Promise.all([server?.stop(), shortServer?.stop()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('sts request and sts approve on two machines', () => {
  it('prints local credentials to the requester once the approver approves', async () => {
    const requester = person('alice');
    const approver = approverOf(server);
    const request = spawnSts(['request', ...as('alice1'), '--totp-code', await codes.next('alice1')], requester);
    const id = (await request.waitForStderr(REQUEST_ID))[1];
    const shown = (await request.waitForStderr(/verification code\s+(\S+)/))[1];

    const approve = await runSts(
      ['approve', id, '--local', '--account-name', 'bob', '--totp-code', await codes.next('bob'), '--yes'],
      approver,
    );
    expect(approve.code, describeRun(approve)).toBe(0);
    expect(approve.stdout).toContain(`Approved ${id}`);
    // The approver saw the same verification code as the requester.
    expect(approve.stderr).toContain(shown);

    const run = await request.done;
    expect(run.code, describeRun(run)).toBe(0);
    const vars = parseExports(run.stdout);
    expect(vars.AWS_ACCESS_KEY_ID).toMatch(LOCAL_KEY_ID);
    expect(vars.AWS_SECRET_ACCESS_KEY).toBeTruthy();
    expect(vars.AWS_SESSION_TOKEN).toBeTruthy();
    expect(Date.parse(vars.AWS_CREDENTIAL_EXPIRATION)).toBeGreaterThan(Date.now());
    // The request's private key is gone once the credentials are opened; the approver never had one.
    expect(pendingKeys(requester)).toEqual([]);
    expect(pendingKeys(approver)).toEqual([]);
  });

  it('ends the requester with exit 10 and one sentence when the approver denies', async () => {
    const request = spawnSts(['request', ...as('alice2'), '--totp-code', await codes.next('alice2')], person('alice'));
    const id = (await request.waitForStderr(REQUEST_ID))[1];

    const deny = await runSts(
      ['deny', id, '--local', '--account-name', 'carol', '--totp-code', await codes.next('carol'), '--yes'],
      approverOf(server),
    );
    expect(deny.code, describeRun(deny)).toBe(0);
    expect(deny.stdout).toContain(`Denied ${id}`);

    expectOneSentence(await request.done, 10, new RegExp(`^sts: Request ${id} was denied by carol\\.`));
  });

  it('ends the requester with exit 11 and one sentence when nobody decides in time', async () => {
    const request = spawnSts(
      ['request', ...as('alice5', shortServer), '--totp-code', await codes.next('alice5')],
      person('alice'),
    );
    const id = (await request.waitForStderr(REQUEST_ID))[1];
    expectOneSentence(await request.done, 11, new RegExp(`^sts: Request ${id} expired: nobody decided before`));
  });

  it('returns at once with --no-wait --json; sts wait on the same machine prints the credentials after approval', async () => {
    const requester = person('alice');
    const approver = approverOf(server);
    const created = await runSts(
      ['request', ...as('alice3'), '--totp-code', await codes.next('alice3'), '--no-wait', '--json'],
      requester,
    );
    expect(created.code, describeRun(created)).toBe(0);
    const { id, verificationCode, decisionDeadline } = JSON.parse(created.stdout);
    expect(id).toMatch(/^r_[0-9a-z]{26}$/);
    expect(verificationCode).toBeTruthy();
    expect(Date.parse(decisionDeadline)).toBeGreaterThan(Date.now());
    // The private key stays on the requester's machine, readable by them only.
    const keyFile = join(requester.env.XDG_STATE_HOME, 'stsftw', 'requests', `${id}.json`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    // Another machine cannot collect the credentials: it has no key.
    const elsewhere = await runSts(['wait', id], approver);
    expect(elsewhere.code, describeRun(elsewhere)).not.toBe(0);
    expect(elsewhere.stderr).toMatch(new RegExp(`^sts: No key for ${id} on this machine`));

    const approve = await runSts(
      ['approve', id, '--local', '--account-name', 'dave', '--totp-code', await codes.next('dave'), '--yes'],
      approver,
    );
    expect(approve.code, describeRun(approve)).toBe(0);

    const waited = await runSts(['wait', id, '--format', 'json'], requester);
    expect(waited.code, describeRun(waited)).toBe(0);
    const credentials = JSON.parse(waited.stdout);
    expect(credentials.AccessKeyId).toMatch(LOCAL_KEY_ID);
    expect(credentials.SessionToken).toBeTruthy();
    expect(existsSync(keyFile)).toBe(false);
  });
});

describe('sts request --no-wait waits for the code check', () => {
  it('exits 12 at once for a wrong code, and tells a single-factor account it needs no approval', async () => {
    const requester = person('solo');
    const right = await codes.next('solo5');
    const wrong = right.slice(0, 5) + String((Number(right[5]) + 1) % 10);
    const refused = await runSts(['request', ...as('solo5'), '--totp-code', wrong, '--no-wait', '--json'], requester);
    expectOneSentence(refused, 12, /^sts: Request r_\w+ was rejected: .*\(invalid_credentials\)$/);
    expect(refused.stderr).not.toContain('sts approve');
    expect(pendingKeys(requester)).toEqual([]);

    const accepted = await runSts(
      ['request', ...as('solo5'), '--totp-code', await codes.next('solo5'), '--no-wait'],
      requester,
    );
    expect(accepted.code, describeRun(accepted)).toBe(0);
    const id = accepted.stdout.trim();
    expect(accepted.stderr).toContain(`Request ${id} needs no approval`);
    expect(accepted.stderr).not.toContain('sts approve');
    const waited = await runSts(['wait', id, '--format', 'json'], requester);
    expect(waited.code, describeRun(waited)).toBe(0);
    expect(JSON.parse(waited.stdout).AccessKeyId).toMatch(LOCAL_KEY_ID);
  });
});

describe('sts exec', () => {
  it('runs the command with the AWS_* variables and passes its exit code through', async () => {
    const script = [
      'const e = process.env;',
      'process.stdout.write(JSON.stringify({ id: e.AWS_ACCESS_KEY_ID, secret: e.AWS_SECRET_ACCESS_KEY,',
      '  token: e.AWS_SESSION_TOKEN, expiration: e.AWS_CREDENTIAL_EXPIRATION, exec: e.STSFTW_EXEC }));',
      'process.exit(7);',
    ].join('\n');
    const run = await runSts(
      ['exec', ...as('solo1'), '--totp-code', await codes.next('solo1'), '--', process.execPath, '-e', script],
      person('solo'),
    );
    expect(run.code, describeRun(run)).toBe(7);
    const seen = JSON.parse(run.stdout);
    expect(seen.id).toMatch(LOCAL_KEY_ID);
    expect(seen.secret).toBeTruthy();
    expect(seen.token).toBeTruthy();
    expect(Date.parse(seen.expiration)).toBeGreaterThan(Date.now());
    expect(seen.exec).toBe('1');
  });
});

describe('sts get --write-profile', () => {
  const other = '# keep me\n[other]\naws_access_key_id = AKIAOTHEREXAMPLE\naws_secret_access_key = other-secret\n';

  it('writes ~/.aws/credentials with mode 0600 and keeps the other profiles', async () => {
    const requester = person('solo');
    const file = join(requester.home, '.aws', 'credentials');
    mkdirSync(join(requester.home, '.aws'));
    writeFileSync(file, other);
    chmodSync(file, 0o644);

    const run = await runSts(
      ['get', ...as('solo2'), '--totp-code', await codes.next('solo2'), '--write-profile', 'work'],
      requester,
    );
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toBe(''); // only the profile was asked for
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(other)).toBe(true);
    expect(text).toMatch(
      /\n\[work\]\naws_access_key_id = ASIALOCAL[A-Z0-9]+\naws_secret_access_key = \S+\naws_session_token = \S+\n/,
    );
  });

  it('writes the file AWS_SHARED_CREDENTIALS_FILE names', async () => {
    const file = join(root, 'shared', 'credentials');
    const requester = person('solo', { AWS_SHARED_CREDENTIALS_FILE: file });
    const run = await runSts(
      ['get', ...as('solo2'), '--totp-code', await codes.next('solo2'), '--write-profile', 'work', '--format', 'json'],
      requester,
    );
    expect(run.code, describeRun(run)).toBe(0);
    const { AccessKeyId } = JSON.parse(run.stdout);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(`[work]\naws_access_key_id = ${AccessKeyId}\n`);
    expect(existsSync(join(requester.home, '.aws', 'credentials'))).toBe(false);
  });
});

describe('$(sts get) in a shell', () => {
  it.each([
    ['a single-factor account', async () => ['solo3', '--totp-code', await codes.next('solo3')]],
    [
      'single shot with the approver’s code',
      async () => [
        'alice4',
        '--totp-code',
        await codes.next('alice4'),
        '--secondary-authorizer',
        'erin',
        '--secondary-totp-code',
        await codes.next('erin'),
      ],
    ],
  ])('loads the credentials of %s with eval', async (_, args) => {
    const [accountName, ...rest] = await args();
    const script = 'eval "$("$NODE" "$@")" && echo "$AWS_ACCESS_KEY_ID" && echo "$AWS_CREDENTIAL_EXPIRATION"';
    const requester = person('shell');
    const run = await runProcess('bash', ['-c', script, 'bash', stsBin, 'get', ...as(accountName), ...rest], {
      ...requester.env,
      NODE: process.execPath,
    });
    expect(run.code, describeRun(run)).toBe(0);
    const [keyId, expiration] = run.stdout.trim().split('\n');
    expect(keyId).toMatch(LOCAL_KEY_ID);
    expect(Date.parse(expiration)).toBeGreaterThan(Date.now());
  });
});

describe('sts get as an AWS credential_process', () => {
  it('is accepted by the AWS SDK for JavaScript, then by botocore from the cache without a new code', async () => {
    const code = await codes.next('solo4');
    const requester = person('solo');
    const configFile = join(requester.home, '.aws', 'config');
    mkdirSync(join(requester.home, '.aws'));
    const command = [process.execPath, stsBin, 'get', ...as('solo4'), '--totp-code', code];
    writeFileSync(configFile, `[profile p]\ncredential_process = ${command.join(' ')} --format credential-process\n`);
    const env = { ...requester.env, AWS_CONFIG_FILE: configFile };

    const sdk = await runProcess(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { fromProcess } from '@aws-sdk/credential-providers';
         const c = await fromProcess({ profile: 'p' })();
         console.log(JSON.stringify({ accessKeyId: c.accessKeyId, secret: !!c.secretAccessKey,
           token: !!c.sessionToken, isDate: c.expiration instanceof Date, expiration: c.expiration?.getTime() }));`,
      ],
      env,
    );
    expect(sdk.code, describeRun(sdk)).toBe(0);
    const fromSdk = JSON.parse(sdk.stdout);
    expect(fromSdk).toMatchObject({ accessKeyId: expect.stringMatching(LOCAL_KEY_ID), secret: true, token: true });
    expect(fromSdk.isDate).toBe(true);
    expect(fromSdk.expiration).toBeGreaterThan(Date.now());

    // Same command line, so the same (now used) code: only the cache can answer.
    const boto = await runProcess(
      'python3',
      [
        '-c',
        "import botocore.session; s = botocore.session.Session(profile='p'); c = s.get_credentials().get_frozen_credentials(); print(c.access_key); print(bool(c.secret_key and c.token))",
      ],
      env,
    );
    expect(boto.code, describeRun(boto)).toBe(0);
    expect(boto.stdout.trim().split('\n')).toEqual([fromSdk.accessKeyId, 'True']);

    // Proof the code is spent: without the cache the broker refuses it.
    const replay = await runSts(['get', ...as('solo4'), '--totp-code', code], requester);
    expect(replay.code, describeRun(replay)).not.toBe(0);
    expect(replay.stderr).toMatch(/invalid_credentials/);
  });
});

describe('errors and help', () => {
  it.each([
    ['no broker runs in the data dir', async (dir: string) => ['--local', '--data-dir', dir], /No local broker found/],
    [
      'the broker in the data dir crashed',
      async (dir: string) => {
        mkdirSync(dir, { recursive: true });
        writeFileSync(
          join(dir, 'server.json'),
          JSON.stringify({ version: 1, pid: 1, endpoint: `http://127.0.0.1:${await closedPort()}` }),
        );
        return ['--local', '--data-dir', dir];
      },
      /Cannot reach the broker at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/,
    ],
    [
      '--endpoint points at nothing',
      async () => ['--endpoint', `http://127.0.0.1:${await closedPort()}`],
      /Cannot reach the broker at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/,
    ],
  ])('says so in one sentence and exits 69 when %s', async (_, target, sentence) => {
    const dir = join(root, 'down', String(++userCount));
    const run = await runSts(
      // No broker ever sees this code.
      [
        'request',
        ...(await target(dir)),
        '--issuer',
        ISSUER,
        '--account-name',
        'alice1',
        '--role',
        ROLE,
        '--totp-code',
        '000000',
      ],
      person('alice'),
    );
    expectOneSentence(run, 69, sentence);
  });

  it('answers a typo with the nearest command, on stderr, exit 1', async () => {
    const run = await runSts(['aprove', 'r_0123456789abcdefghjkmnpqrs'], person('newcomer'));
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('sts: "aprove" is not an sts command. Did you mean `sts approve`? See `sts --help`.\n');
  });

  it('shows examples in sts --help', async () => {
    const run = await runSts(['--help'], person('newcomer'));
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toMatch(/examples/i);
    expect(run.stdout).toMatch(/\bsts (request|get|approve) --\w/);
  });
});
