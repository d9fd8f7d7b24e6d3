import { readdirSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deletePending, loadFinished } from '../../../cli/pending-requests.js';
import { readStackOutputs } from '../../../cli/stack-outputs.js';
import { type FakeBroker, runCli, sampleCredentials, startFakeBroker, tempHome } from '../../support/cli-harness.js';

/** Issue 7 item 16: sentences that told people the wrong thing. */
describe('sentences that say what happened', () => {
  let broker: FakeBroker | undefined;
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;

  beforeEach(() => {
    home = tempHome();
    env = { HOME: home.home, STS_ISSUER: 'acme', STS_ACCOUNT_NAME: 'alice', STS_ROLE: 'admin' };
  });
  afterEach(async () => {
    await broker?.close();
    broker = undefined;
    home.cleanup();
  });

  const start = async (options: Parameters<typeof startFakeBroker>[0]) => {
    broker = await startFakeBroker(options);
    env.STS_ENDPOINT = broker.url;
    return broker;
  };
  const stateDir = () => join(home.home, '.local', 'state', 'stsftw');

  describe('sts wait after the credentials were delivered', () => {
    it('says they were already delivered, not that there is no key', async () => {
      await start({ plan: ['AWAITING_APPROVAL', 'MINTED'], credentials: sampleCredentials() });
      const first = await runCli(['request', '--totp-code', '123456'], env);
      expect(first.code, first.stderr).toBe(0);
      const [request] = broker!.requests.values();
      const again = await runCli(['wait', request.id], env);
      expect(again.code).toBe(64);
      expect(again.stderr).toMatch(
        new RegExp(
          `^sts: The credentials of ${request.id} were already delivered on this machine \\(at \\d\\d:\\d\\d:\\d\\d\\)`,
        ),
      );
      expect(again.stderr).toContain('`sts request`');
      expect(again.stderr).not.toContain('No key');
    });

    it('keeps only a marker without any secret', async () => {
      await start({ plan: ['MINTED'], credentials: sampleCredentials() });
      const first = await runCli(['request', '--totp-code', '123456'], env);
      expect(first.code, first.stderr).toBe(0);
      const [request] = broker!.requests.values();
      // The key is gone; the marker stays, beside the keys of requests in flight.
      expect(readdirSync(join(stateDir(), 'requests'))).toEqual([]);
      const files = readdirSync(join(stateDir(), 'finished'));
      expect(files).toEqual([`${request.id}.json`]);
      const marker = JSON.parse(readFileSync(join(stateDir(), 'finished', files[0]), 'utf8'));
      expect(Object.keys(marker).sort()).toEqual(['at', 'id', 'status']);
      expect(marker).toMatchObject({ id: request.id, status: 'MINTED' });
    });

    it('forgets markers after 30 days', () => {
      const old = 'r_0123456789abcdefghjkmnpqrs';
      const recent = 'r_1123456789abcdefghjkmnpqrs';
      deletePending(env, old, 'MINTED');
      const oldPath = join(stateDir(), 'finished', `${old}.json`);
      const monthAgo = new Date(Date.now() - 31 * 86_400_000);
      utimesSync(oldPath, monthAgo, monthAgo);
      deletePending(env, recent, 'MINTED');
      expect(loadFinished(env, old)).toBeUndefined();
      expect(loadFinished(env, recent)).toMatchObject({ id: recent, status: 'MINTED' });
    });

    it('a request that ended otherwise is reported with its status and exit code', async () => {
      await start({ plan: ['AWAITING_APPROVAL', 'DENIED'], deniedBy: 'bob' });
      const first = await runCli(['request', '--totp-code', '123456'], env);
      expect(first.code).toBe(10);
      const [request] = broker!.requests.values();
      const again = await runCli(['wait', request.id], env);
      expect(again.code).toBe(10);
      expect(again.stderr).toContain(`Request ${request.id} already ended on this machine: DENIED`);
    });

    it('an unknown id still says where to run it', async () => {
      const result = await runCli(['wait', 'r_0123456789abcdefghjkmnpqrs'], env);
      expect(result.code).toBe(64);
      expect(result.stderr).toContain('No key for r_0123456789abcdefghjkmnpqrs on this machine');
    });
  });

  describe('a requester who names an approver who may not approve', () => {
    it('is told to name one of their own approvers, not to ask the requester', async () => {
      await start({
        plan: ['REJECTED'],
        error: { code: 'not_an_approver', message: 'This account may not approve this request.' },
      });
      const result = await runCli(['request', '--secondary-authorizer', 'mallory', '--totp-code', '123456'], env);
      expect(result.code).toBe(12);
      expect(result.stderr).not.toContain('Ask the requester');
      expect(result.stderr).toContain(
        'mallory is not one of the approvers listed for your account: name one who is with --secondary-authorizer',
      );
      expect(result.stderr).toContain('(not_an_approver)');
    });

    it('the approver who may not approve is still told to ask the requester', async () => {
      const fake = await start({ decisionProblem: { status: 403, code: 'not_an_approver' } });
      const seeded = fake.seed({
        id: 'r_0123456789abcdefghjkmnpqrs',
        status: 'AWAITING_APPROVAL',
        issuer: 'acme',
        accountName: 'alice',
        role: 'admin',
        reason: null,
        secondaryAccountName: null,
        createdAt: new Date().toISOString(),
        decisionDeadline: new Date(Date.now() + 600_000).toISOString(),
        verificationCode: 'K7Q-M2X',
        approvedBy: null,
        error: null,
      });
      const result = await runCli(['approve', seeded.id, '--yes', '--totp-code', '123456'], {
        ...env,
        STS_ACCOUNT_NAME: 'mallory',
      });
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('Ask the requester');
    });
  });
});

describe('sts configure --from-stack without a region', () => {
  let home: ReturnType<typeof tempHome>;
  beforeEach(() => {
    home = tempHome();
    // No region anywhere the SDK looks: variables, config files (a HOME of our own), no profile.
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
    vi.stubEnv('AWS_PROFILE', undefined);
    vi.stubEnv('AWS_CONFIG_FILE', join(home.home, 'none', 'config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(home.home, 'none', 'credentials'));
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    home.cleanup();
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
  ])("says to pass --region when AWS_REGION is %s, from the SDK's own failure (no mock)", async (_, region) => {
    vi.stubEnv('AWS_REGION', region);
    const error = await readStackOutputs('stsftw', undefined).catch((e: unknown) => e);
    expect(error).toMatchObject({
      exitCode: 64,
      message:
        'No valid AWS region to read stack stsftw in: pass --region (or set AWS_REGION), e.g. --region eu-west-1.',
    });
  });

  it('through the CLI', async () => {
    const cfn = mockClient(CloudFormationClient);
    // What the SDK rejects with when it resolves no region (the test above checks the real one).
    cfn.on(DescribeStacksCommand).rejects(new Error('Region is missing'));
    try {
      const result = await runCli(['configure', '--from-stack', 'stsftw'], { HOME: home.home });
      expect(result).toMatchObject({
        code: 64,
        stderr:
          'sts: No valid AWS region to read stack stsftw in: pass --region (or set AWS_REGION), e.g. --region eu-west-1.\n',
      });
    } finally {
      cfn.restore();
    }
  });
});
