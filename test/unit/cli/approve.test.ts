import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeBroker,
  type FakeRequest,
  fakeTerminal,
  runCli,
  startFakeBroker,
  tempHome,
} from '../../support/cli-harness.js';

const ID = 'r_0123456789abcdefghjkmnpqrs';

describe('sts approve / sts deny', () => {
  let broker: FakeBroker;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;
  let request: FakeRequest;

  beforeEach(async () => {
    home = tempHome();
    broker = await startFakeBroker();
    request = broker.seed({
      id: ID,
      status: 'AWAITING_APPROVAL',
      issuer: 'acme',
      accountName: 'alice',
      role: 'admin',
      reason: 'deploy hotfix',
      secondaryAccountName: null,
      createdAt: new Date().toISOString(),
      decisionDeadline: new Date(Date.now() + 600_000).toISOString(),
      verificationCode: 'K7Q-M2X',
      approvedBy: null,
      error: null,
    });
    env = { HOME: home.home, STS_ENDPOINT: broker.url, STS_ACCOUNT_NAME: 'bob' };
  });
  afterEach(async () => {
    await broker.close();
    home.cleanup();
  });

  const decisions = () => broker.calls.filter((call) => call.method === 'POST');

  it('shows who asks for what, why, the code and the deadline, confirms, then asks for the TOTP code (hidden)', async () => {
    const tty = fakeTerminal(['y', '123456']);
    const result = await runCli(['approve', ID], env, { terminal: tty.terminal });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('alice (issuer acme) asks for role admin');
    expect(result.stderr).toContain('"deploy hotfix"');
    expect(result.stderr).toContain('K7Q-M2X');
    expect(result.stderr).toContain('decision deadline');
    expect(tty.questions).toEqual([
      { question: 'Approve this request? [y/N] ', hidden: false },
      { question: 'TOTP code for bob: ', hidden: true },
    ]);
    expect(decisions()).toEqual([
      { method: 'POST', path: `/v1/requests/${ID}/approve`, body: { accountName: 'bob', totpCode: '123456' } },
    ]);
    expect(result.stdout).toContain(`Approved ${ID}`);
  });

  it('sends nothing when the approver answers no', async () => {
    const result = await runCli(['approve', ID], env, { terminal: fakeTerminal(['n']).terminal });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Nothing sent');
    expect(decisions()).toEqual([]);
  });

  it('without a terminal and without --yes, refuses with a sentence', async () => {
    const result = await runCli(['approve', ID, '--totp-code', '123456'], env);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('re-run with --yes');
    expect(decisions()).toEqual([]);
  });

  it('--yes --totp-code works without a terminal; --json prints the answer', async () => {
    const result = await runCli(['approve', ID, '--yes', '--totp-code', '123456', '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ id: ID, status: 'APPROVED' });
  });

  it('deny sends the reason', async () => {
    const result = await runCli(['deny', ID, '--yes', '--totp-code', '123456', '--reason', 'use read-only'], env);
    expect(result.code).toBe(0);
    expect(decisions()[0]).toEqual({
      method: 'POST',
      path: `/v1/requests/${ID}/deny`,
      body: { accountName: 'bob', totpCode: '123456', reason: 'use read-only' },
    });
    expect(result.stdout).toBe(`Denied ${ID}.\n`);
  });

  it('needs the approver’s account name', async () => {
    const { STS_ACCOUNT_NAME: _, ...anonymous } = env;
    const result = await runCli(['approve', ID, '--yes', '--totp-code', '123456'], anonymous);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('No account name');
  });

  it.each([
    ['MINTED', 6, 'already decided'],
    ['DENIED', 6, 'already decided'],
    ['EXPIRED', 7, 'expired before anyone decided'],
    ['REJECTED', 6, 'nothing to decide'],
  ])('a request already %s is not decided again (exit %i)', async (status, code, sentence) => {
    request.view.status = status;
    const result = await runCli(['approve', ID, '--yes', '--totp-code', '123456'], env);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(sentence);
    expect(decisions()).toEqual([]);
  });

  it('waits a moment while the requester’s code is being checked', async () => {
    request.view.status = 'VERIFYING';
    let gets = 0;
    const result = await runCli(['approve', ID, '--yes', '--totp-code', '123456'], env, {
      sleep: async () => {
        if (++gets === 2) request.view.status = 'AWAITING_APPROVAL';
      },
    });
    expect(result.code).toBe(0);
    expect(decisions()).toHaveLength(1);
  });

  it('an unknown id: the not_found sentence, exit 5', async () => {
    const result = await runCli(['approve', 'r_zzzzzzzzzzzzzzzzzzzzzzzzzz', '--yes', '--totp-code', '123456'], env);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('Check the request id');
  });
});

describe('sts status', () => {
  let broker: FakeBroker;
  let home: ReturnType<typeof tempHome>;

  beforeEach(async () => {
    home = tempHome();
    broker = await startFakeBroker();
    broker.seed({
      id: ID,
      status: 'REJECTED',
      issuer: 'acme',
      accountName: 'alice',
      role: 'admin',
      reason: null,
      createdAt: '2030-01-01T00:00:00.000Z',
      decisionDeadline: '2030-01-01T00:15:00.000Z',
      error: { code: 'invalid_credentials', message: 'The account name or TOTP code is not valid.' },
    });
  });
  afterEach(async () => {
    await broker.close();
    home.cleanup();
  });

  it('prints the request for people', async () => {
    const result = await runCli(['status', ID], { HOME: home.home, STS_ENDPOINT: broker.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `${ID}\n  status             REJECTED\n  account            alice (issuer acme)\n  role               admin\n`,
    );
    expect(result.stdout).toContain(
      'error              The account name or TOTP code is not valid. (invalid_credentials)',
    );
    expect(result.stdout).not.toContain('reason');
  });

  it('--json prints it as the API answered', async () => {
    const result = await runCli(['status', ID, '--json'], { HOME: home.home, STS_ENDPOINT: broker.url });
    expect(JSON.parse(result.stdout)).toMatchObject({
      id: ID,
      status: 'REJECTED',
      error: { code: 'invalid_credentials' },
    });
  });
});
