/**
 * The CLI's side of approval quorums (issue 9): the requester sees the approvals arrive (`request`, `wait`),
 * `get` / `exec` / credential_process never wait for a quorum, the approver learns whether theirs completed it,
 * `status` lists the approvals; and a broker from before quorums (no `approvalsRequired`, `approvals`,
 * `approvalsRemaining`) is served exactly as before.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../cli/errors.js';
import { describeError } from '../../../cli/sentences/describe.js';
import {
  type FakeBroker,
  type FakeBrokerOptions,
  type FakeRequest,
  type PlanStep,
  requesterSetup,
  runCli,
  startFakeBroker,
  tempHome,
} from '../../support/cli-harness.js';

const ID = 'r_0123456789abcdefghjkmnpqrs';
const waiting = (approvalsRequired: number, approvals: string[] = []): PlanStep => ({
  status: 'AWAITING_APPROVAL',
  approvalsRequired,
  approvals,
});
/** A quorum of two filling up: nobody, bob, then carol (the view jumps straight from one approval to MINTED). */
const QUORUM_OF_TWO: PlanStep[] = [
  { status: 'VERIFYING' },
  waiting(2),
  waiting(2),
  waiting(2, ['bob']),
  waiting(2, ['bob']),
  { status: 'MINTED', approvalsRequired: 2, approvals: ['bob', 'carol'] },
];

describe('the requester sees the approvals of a quorum arrive', () => {
  let broker: FakeBroker;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  const setup = async (options: FakeBrokerOptions) => {
    ({ home, broker, env } = await requesterSetup(options));
  };
  afterEach(async () => {
    await broker.close();
    home.cleanup();
  });
  const keyDir = () => join(home.home, '.local', 'state', 'stsftw', 'requests');

  it('sts request says how many approvals it needs and prints a line each time the count grows (0 → 1 → 2)', async () => {
    await setup({ plan: QUORUM_OF_TWO });
    const result = await runCli(['request', '--totp-code', '123456'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('export AWS_ACCESS_KEY_ID=');
    const [request] = broker.requests.values();
    expect(result.stderr).toContain(`Request ${request.id} for role admin needs 2 approvals.`);
    const lines = result.stderr.split('\n');
    expect(lines.filter((line) => line.startsWith('approvals: '))).toEqual([
      'approvals: 1 of 2 (bob)',
      'approvals: 2 of 2 (bob, carol)',
    ]);
    // after the announcement, in order
    const at = (text: string) => result.stderr.indexOf(text);
    expect(at('needs 2 approvals')).toBeLessThan(at('approvals: 1 of 2'));
    expect(at('approvals: 1 of 2')).toBeLessThan(at('approvals: 2 of 2'));
    expect(result.stderr).not.toContain('\x1b[');
  });

  it('on a terminal the spinner keeps running, says how many approvals it waits for, and the lines still appear', async () => {
    await setup({ plan: QUORUM_OF_TWO });
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    let text = '';
    stderr.on('data', (chunk) => {
      text += chunk;
    });
    const result = await runCli(['request', '--totp-code', '123456'], env, { stderr });
    expect(result.code).toBe(0);
    expect(text).toContain('\x1b[2K');
    expect(text).toMatch(/Waiting for 2 approvals of r_\w+ \(1 so far; code /);
    expect(text).toContain('approvals: 1 of 2 (bob)\n');
    expect(text).toContain('approvals: 2 of 2 (bob, carol)\n');
  });

  it('Ctrl-C after the first approval still says how to resume, and sts wait shows the approvals counted so far', async () => {
    const interrupt = new AbortController();
    await setup({
      plan: [...QUORUM_OF_TWO.slice(0, 4), waiting(2, ['bob']), waiting(2, ['bob']), QUORUM_OF_TWO[5]],
      onGet: (request) => {
        if (request.gets === 4) interrupt.abort();
      },
    });
    const first = await runCli(['request', '--totp-code', '123456'], env, { signal: interrupt.signal });
    const [request] = broker.requests.values();
    expect(first.code).toBe(130);
    expect(first.stderr).toContain('approvals: 1 of 2 (bob)');
    expect(first.stderr).toContain(`sts wait ${request.id}`);
    const second = await runCli(['wait', request.id], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr.split('\n').filter((line) => line.startsWith('approvals: '))).toEqual([
      'approvals: 1 of 2 (bob)',
      'approvals: 2 of 2 (bob, carol)',
    ]);
  });

  it('--no-wait says how many approvals the request needs', async () => {
    await setup({ plan: [{ status: 'VERIFYING' }, waiting(3)] });
    const result = await runCli(['request', '--totp-code', '123456', '--no-wait'], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('needs 3 approvals.');
  });

  it.each([
    [
      'one approval',
      [{ status: 'VERIFYING' }, waiting(1), waiting(1), { status: 'MINTED', approvalsRequired: 1, approvals: ['bob'] }],
    ],
    ['a broker before quorums', ['VERIFYING', 'AWAITING_APPROVAL', 'APPROVED', 'MINTED']],
  ] as [string, (string | PlanStep)[]][])(
    'with %s, sts request says and prints what it did before',
    async (_name, plan) => {
      await setup({ plan });
      const result = await runCli(['request', '--totp-code', '123456'], env);
      expect(result.code).toBe(0);
      const [request] = broker.requests.values();
      expect(result.stderr).toContain(`Request ${request.id} for role admin needs approval.`);
      expect(result.stderr).not.toContain('approvals');
      expect(readdirSync(keyDir())).toEqual([]);
    },
  );

  describe('get, exec and credential_process never wait for a quorum', () => {
    const expectRefusal = (result: { code: number; stdout: string; stderr: string }, request: FakeRequest) => {
      expect(result.code, result.stderr).toBe(4);
      expect(result.stdout).toBe('');
      const sentence = result.stderr.trim().split('\n').at(-1) ?? '';
      expect(sentence).toMatch(/^sts: /);
      expect(sentence).toContain('needs 2 approvals');
      expect(sentence).toContain('`sts request`');
      expect(sentence).toContain(`\`sts wait ${request.id}\``);
      expect(sentence).toContain(`sts approve ${request.id}`);
      expect(sentence).toContain('(approvals_required)');
      // nothing is lost: the request stays open and its key stays here for `sts wait`
      expect(readdirSync(keyDir())).toEqual([`${request.id}.json`]);
      // it stopped polling at the first view that showed the quorum
      expect(request.gets).toBe(2);
      expect(result.stderr).not.toContain('approver runs');
    };

    it('sts get stops at a quorum of two, names sts request, and keeps the request for sts wait', async () => {
      await setup({ plan: QUORUM_OF_TWO });
      const result = await runCli(['get', '--totp-code', '123456'], env);
      const [request] = broker.requests.values();
      expectRefusal(result, request);
      // and `sts wait` does pick it up
      const waited = await runCli(['wait', request.id], env);
      expect(waited.code, waited.stderr).toBe(0);
      expect(waited.stdout).toContain('export AWS_ACCESS_KEY_ID=');
    });

    it('also when its --secondary-totp-code counted as the first approval', async () => {
      await setup({ plan: [{ status: 'VERIFYING' }, waiting(2, ['bob'])] });
      const result = await runCli(
        ['get', '--totp-code', '123456', '--secondary-authorizer', 'bob', '--secondary-totp-code', '654321'],
        env,
      );
      const [request] = broker.requests.values();
      expectRefusal(result, request);
      expect(result.stderr).toContain('1 of 2');
      // bob has approved already: the command for the others names no one in particular.
      expect(result.stderr).toContain(`sts approve ${request.id} --issuer acme --account-name <you>`);
      expect(result.stderr).not.toContain('--account-name bob');
    });

    it('sts exec refuses the same way and runs nothing', async () => {
      await setup({ plan: QUORUM_OF_TWO });
      const result = await runCli(
        ['exec', '--totp-code', '123456', '--', process.execPath, '-e', 'console.log("ran")'],
        env,
      );
      const [request] = broker.requests.values();
      expectRefusal(result, request);
    });

    it('credential_process refuses the same way, with nothing on stdout for the SDK to misread', async () => {
      await setup({ plan: QUORUM_OF_TWO });
      const result = await runCli(['get', '--totp-code', '123456', '--format', 'credential-process'], env);
      const [request] = broker.requests.values();
      expectRefusal(result, request);
    });

    it.each([
      [
        'no approval',
        [
          { status: 'VERIFYING' },
          { status: 'APPROVED', approvalsRequired: 0 },
          { status: 'MINTED', approvalsRequired: 0 },
        ],
      ],
      [
        'one approval',
        [
          { status: 'VERIFYING' },
          waiting(1),
          waiting(1),
          { status: 'MINTED', approvalsRequired: 1, approvals: ['bob'] },
        ],
      ],
      [
        'one approval, given as a second code',
        [
          { status: 'VERIFYING' },
          { status: 'APPROVED', approvalsRequired: 1, approvals: ['bob'] },
          { status: 'MINTED', approvalsRequired: 1, approvals: ['bob'] },
        ],
      ],
    ] as [string, PlanStep[]][])('a role needing %s behaves as before', async (_name, plan) => {
      await setup({ plan });
      const result = await runCli(['get', '--totp-code', '123456'], env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('export AWS_ACCESS_KEY_ID=');
      expect(result.stderr).not.toContain('approvals');
      expect(readdirSync(keyDir())).toEqual([]);
    });
  });
});

describe('the approver learns what their approval did', () => {
  let broker: FakeBroker;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  const seeded = async (options: FakeBrokerOptions, fields: Record<string, unknown> = {}) => {
    home = tempHome();
    broker = await startFakeBroker(options);
    env = { HOME: home.home, STS_ENDPOINT: broker.url, STS_ACCOUNT_NAME: 'bob' };
    return broker.seed({
      id: ID,
      status: 'AWAITING_APPROVAL',
      issuer: 'acme',
      accountName: 'alice',
      role: 'BreakGlass',
      reason: 'incident 42',
      secondaryAccountName: null,
      createdAt: new Date().toISOString(),
      decisionDeadline: new Date(Date.now() + 600_000).toISOString(),
      verificationCode: 'K7Q-M2X',
      approvedBy: null,
      deniedBy: null,
      error: null,
      ...fields,
    });
  };
  afterEach(async () => {
    await broker.close();
    home.cleanup();
  });
  const approve = (...extra: string[]) => runCli(['approve', ID, '--yes', '--totp-code', '123456', ...extra], env);

  it('an approval that leaves the quorum short says how many more are needed', async () => {
    await seeded(
      { decisionAnswer: { status: 'AWAITING_APPROVAL', approvalsRemaining: 1 } },
      { approvalsRequired: 2, approvals: [] },
    );
    const result = await approve();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`Your approval of ${ID} is counted (1 of 2); 1 more approval is needed.\n`);
    // before deciding, the approver saw that the request needs two
    expect(result.stderr).toMatch(/approvals\s+0 of 2/);
  });

  it('counts several missing approvals in the plural', async () => {
    await seeded(
      { decisionAnswer: { status: 'AWAITING_APPROVAL', approvalsRemaining: 2 } },
      { approvalsRequired: 3, approvals: [] },
    );
    const result = await approve();
    expect(result.stdout).toBe(`Your approval of ${ID} is counted (1 of 3); 2 more approvals are needed.\n`);
  });

  it('the approval that completes the quorum says so', async () => {
    await seeded(
      { decisionAnswer: { status: 'APPROVED', approvalsRemaining: 0 } },
      { approvalsRequired: 2, approvals: [{ accountName: 'carol', approvedAt: new Date().toISOString() }] },
    );
    const result = await approve();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/approvals\s+1 of 2 \(carol\)/);
    expect(result.stdout).toBe(
      `Approved ${ID}: the quorum is complete (2 of 2), alice's credentials are being minted.\n`,
    );
  });

  it('an answer that still waits but gives no count says the approval is counted, without a number', async () => {
    await seeded({ decisionAnswer: { status: 'AWAITING_APPROVAL' } }, { approvalsRequired: 2, approvals: [] });
    const result = await approve();
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Your approval of ${ID} is counted; the request waits for more approvals.\n`);
  });

  it('--json passes approvalsRemaining through', async () => {
    await seeded(
      { decisionAnswer: { status: 'AWAITING_APPROVAL', approvalsRemaining: 1 } },
      { approvalsRequired: 2, approvals: [] },
    );
    const result = await approve('--json');
    expect(JSON.parse(result.stdout)).toEqual({ id: ID, status: 'AWAITING_APPROVAL', approvalsRemaining: 1 });
  });

  it.each([
    ['a broker before quorums', {}],
    ['one approval', { approvalsRequired: 1, approvals: [] }],
  ])('with %s, an approval answered {id, status: APPROVED} reads as before', async (_name, fields) => {
    await seeded({}, fields);
    const result = await approve();
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Approved ${ID}: alice's credentials are being minted.\n`);
    expect(result.stderr).not.toContain('approvals');
  });

  it('a second approval by the same approver: exit 6, nothing to do', async () => {
    await seeded(
      {
        decisionProblem: {
          status: 409,
          code: 'already_approved',
          detail: 'Your approval of this request is already counted; it is waiting for the other approvers.',
        },
      },
      { approvalsRequired: 2, approvals: [{ accountName: 'bob', approvedAt: new Date().toISOString() }] },
    );
    const result = await approve();
    expect(result.code).toBe(6);
    const sentence = result.stderr.trim().split('\n').at(-1);
    expect(sentence).toContain('already counted');
    expect(sentence).toContain('Nothing to do');
    expect(sentence).toContain('(already_approved)');
    // Said from the view, before a TOTP code is asked for and spent: no decision reached the broker.
    expect(broker.calls.filter((call) => call.method === 'POST')).toEqual([]);
  });

  it('an approver the view does not list yet is asked for a code and the broker decides', async () => {
    await seeded(
      { decisionProblem: { status: 409, code: 'already_approved', detail: 'Already counted.' } },
      { approvalsRequired: 2, approvals: [{ accountName: 'carol', approvedAt: new Date().toISOString() }] },
    );
    const result = await approve();
    expect(result.code).toBe(6);
    expect(broker.calls.filter((call) => call.method === 'POST')).toHaveLength(1);
  });

  it('an approval counted before a 504 is a success when the retry hears already_approved', async () => {
    const request = await seeded({}, { approvalsRequired: 2, approvals: [] });
    let posts = 0;
    const fetch: typeof globalThis.fetch = (async (url: URL, init: RequestInit) => {
      if (init.method !== 'POST') return globalThis.fetch(url, init);
      if (++posts === 1) {
        request.view.approvals = [{ accountName: 'bob', approvedAt: new Date().toISOString() }];
        return new Response(JSON.stringify({ message: 'Endpoint request timed out' }), { status: 504 });
      }
      return new Response(JSON.stringify({ code: 'already_approved', detail: 'Already counted.' }), {
        status: 409,
        headers: { 'content-type': 'application/problem+json' },
      });
    }) as typeof globalThis.fetch;
    const result = await runCli(['approve', ID, '--yes', '--totp-code', '123456'], env, { fetch });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`Your approval of ${ID} is counted (1 of 2); 1 more approval is needed.\n`);
  });

  it.each(['APPROVED', 'MINTED'])(
    'an approval that completed the quorum before a 504 reads as complete when the request is %s by then',
    async (status) => {
      const request = await seeded({}, { approvalsRequired: 2, approvals: [] });
      let posts = 0;
      const fetch: typeof globalThis.fetch = (async (url: URL, init: RequestInit) => {
        if (init.method !== 'POST') return globalThis.fetch(url, init);
        if (++posts === 1) {
          const approvedAt = new Date().toISOString();
          Object.assign(request.view, {
            status,
            approvedBy: 'bob',
            approvals: [
              { accountName: 'carol', approvedAt },
              { accountName: 'bob', approvedAt },
            ],
          });
          return new Response(JSON.stringify({ message: 'Endpoint request timed out' }), { status: 504 });
        }
        return new Response(JSON.stringify({ code: 'already_decided', detail: 'Already decided.' }), {
          status: 409,
          headers: { 'content-type': 'application/problem+json' },
        });
      }) as typeof globalThis.fetch;
      const result = await runCli(['approve', ID, '--yes', '--totp-code', '123456'], env, { fetch });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(
        `Approved ${ID}: the quorum is complete (2 of 2), alice's credentials are being minted.\n`,
      );
    },
  );

  it('sts status lists the approvals (who, when) and k of N; --json passes them through', async () => {
    const approvedAt = '2030-01-01T00:00:10.000Z';
    await seeded({}, { approvalsRequired: 2, approvals: [{ accountName: 'bob', approvedAt }] });
    const shown = await runCli(['status', ID], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      /\n {2}approvals {10}1 of 2\n {21}bob at 2030-01-01T00:00:10.000Z \(\d\d:\d\d:\d\d local\)\n/,
    );
    const json = JSON.parse((await runCli(['status', ID, '--json'], env)).stdout);
    expect(json).toMatchObject({ approvalsRequired: 2, approvals: [{ accountName: 'bob', approvedAt }] });
  });

  it('sts status of a request from a broker before quorums shows no approvals line', async () => {
    await seeded({});
    const shown = await runCli(['status', ID], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toContain('approvals');
  });
});

describe('the sentences of the quorum codes', () => {
  it('already_approved: nothing to do, exit 6', () => {
    const said = describeError(
      new ApiError('already_approved', 409, 'Your approval of this request is already counted.'),
    );
    expect(said.exitCode).toBe(6);
    expect(said.message).toContain('Nothing to do');
    expect(said.message).toContain('the request waits for the other approvers');
  });

  it('approvals_required names sts request, exit 4', () => {
    const said = describeError(new ApiError('approvals_required', 403, 'This role needs two or more approvals.'));
    expect(said.exitCode).toBe(4);
    expect(said.message).toContain('`sts request`');
    expect(said.message).toContain('(approvals_required)');
  });
});
