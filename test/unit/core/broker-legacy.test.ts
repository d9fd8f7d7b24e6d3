/**
 * `single-shot-only` requests (STSFTW 1.0's `POST /`): the broker puts the mode into the execution input,
 * and `Verify Requester` refuses rather than waits for an approver. The workflow is played by hand here:
 * `Prepare Verification` sends the whole execution input (plus `action`) to the verify task.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type BrokerConfig, createBroker } from '../../../lambdas/core/broker.js';
import {
  InvalidCredentialsError,
  InvalidRequestError,
  NotAnApproverError,
  SelfApprovalError,
} from '../../../lambdas/core/errors.js';
import type { RoleConfig } from '../../../lambdas/core/roles.js';
import { generateKeyPair } from '../../../lambdas/core/sealing.js';
import { createVerifyTasks } from '../../../lambdas/core/tasks/verify.js';
import type { ExecutionInput } from '../../../lambdas/core/types.js';
import { taskHandler, verifyRoutes } from '../../../lambdas/handlers/task-router.js';
import { enroll, memoryPorts, rejection, totpCode } from '../../support/memory.js';

const ISSUER = 'example';
const brokerConfig: BrokerConfig = {
  partition: 'aws',
  approvalTimeoutSeconds: 900,
  maxSessionSeconds: 3600,
  requestRetentionSeconds: 86_400,
};
const taskConfig: RoleConfig = { partition: 'aws', roleAccountId: '123456789012' };

async function setup() {
  const ports = memoryPorts('2030-01-01T00:00:10.000Z');
  const broker = createBroker({ ...ports, config: brokerConfig });
  const verifyTasks = createVerifyTasks({ ...ports, config: taskConfig });
  // The verify function's router: the payload is read at the edge, as on Lambda.
  const tasks = { ...verifyTasks, dispatch: taskHandler(verifyRoutes(verifyTasks)) };
  const urls = {
    alice: await enroll(ports.auth, ports.cipher, {
      issuer: ISSUER,
      accountName: 'alice',
      roles: ['admin'],
      secondaryAuthorization: ['bob', 'erin'],
    }),
    bob: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'bob' }),
    dave: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'dave' }),
    erin: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'erin' }, { secret: null }),
    solo: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'solo', roles: ['admin'] }),
  };
  const code = (who: keyof typeof urls, offset = 0) => totpCode(urls[who], ports.clock.now(), offset);
  const { publicKey } = await generateKeyPair();

  /** Creates a request through the broker and returns its execution input. */
  async function create(
    input: { accountName: string; totpCode: string; secondaryAccountName?: string; secondaryTotpCode?: string },
    mode?: 'single-shot-only',
  ): Promise<ExecutionInput> {
    const { id } = await broker.createRequest(
      { issuer: ISSUER, role: 'admin', publicKey, ...input },
      mode === undefined ? undefined : { mode },
    );
    const started = ports.workflow.starts.find((s) => s.requestId === id);
    if (!started) throw new Error('no execution started');
    return started;
  }

  /** What `Verify Requester` does with the execution input. */
  const verify = (input: ExecutionInput) => tasks.dispatch({ ...input, action: 'verifyRequester' });
  return { ...ports, broker, tasks, code, create, verify };
}

describe('createRequest with mode single-shot-only', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it('puts the mode into the execution input', async () => {
    const input = await t.create({ accountName: 'solo', totpCode: t.code('solo') }, 'single-shot-only');
    expect(input).toEqual({
      requestId: expect.stringMatching(/^r_/),
      totpCode: expect.any(String),
      approvalTimeoutSeconds: 900,
      mode: 'single-shot-only',
    });
  });

  it('leaves the execution input of an ordinary request without a mode', async () => {
    const input = await t.create({ accountName: 'alice', totpCode: t.code('alice') });
    expect(Object.keys(input)).not.toContain('mode');
  });

  it('applies the same synchronous checks as any request', async () => {
    await expect(
      t.broker.createRequest(
        {
          issuer: ISSUER,
          accountName: 'alice',
          role: 'admin',
          totpCode: t.code('alice'),
          publicKey: 'not-a-key',
        },
        { mode: 'single-shot-only' },
      ),
    ).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(
      t.create(
        { accountName: 'alice', totpCode: t.code('alice'), secondaryAccountName: 'alice', secondaryTotpCode: '123456' },
        'single-shot-only',
      ),
    ).rejects.toBeInstanceOf(SelfApprovalError);
    expect(t.workflow.starts).toEqual([]);
  });
});

describe('verifyRequester with mode single-shot-only', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it('approves a single-factor account at once', async () => {
    const input = await t.create({ accountName: 'solo', totpCode: t.code('solo') }, 'single-shot-only');
    await expect(t.verify(input)).resolves.toEqual({ next: 'mint' });
    expect(t.requests.peek(input.requestId)?.status).toBe('APPROVED');
  });

  it("goes on to verify the approver when the approver's code came along", async () => {
    const input = await t.create(
      {
        accountName: 'alice',
        totpCode: t.code('alice'),
        secondaryAccountName: 'bob',
        secondaryTotpCode: t.code('bob'),
      },
      'single-shot-only',
    );
    await expect(t.verify(input)).resolves.toEqual({ next: 'verifyApprover' });
  });

  it('refuses a two-party account without a second code instead of waiting (invalid_credentials, as 1.0)', async () => {
    const input = await t.create({ accountName: 'alice', totpCode: t.code('alice') }, 'single-shot-only');
    const error = await rejection(t.verify(input));
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error.name).toBe('InvalidCredentialsError');
    // Nothing moved towards a wait: no token, still VERIFYING until Record Rejection runs.
    expect(t.requests.peek(input.requestId)).toMatchObject({ status: 'VERIFYING' });
    expect(t.requests.peek(input.requestId)?.taskToken).toBeUndefined();
  });

  it('refuses a named approver without a code too', async () => {
    const input = await t.create(
      { accountName: 'alice', totpCode: t.code('alice'), secondaryAccountName: 'bob' },
      'single-shot-only',
    );
    await expect(t.verify(input)).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('still names the stronger reason first: a named account that is no approver', async () => {
    const input = await t.create(
      { accountName: 'alice', totpCode: t.code('alice'), secondaryAccountName: 'dave' },
      'single-shot-only',
    );
    await expect(t.verify(input)).rejects.toBeInstanceOf(NotAnApproverError);
  });

  it('a wrong requester code is invalid_credentials and counts as a failed attempt', async () => {
    const input = await t.create({ accountName: 'alice', totpCode: '000000' }, 'single-shot-only');
    await expect(t.verify(input)).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(t.auth.peek(ISSUER, 'alice')?.failedAttempts).toBe(1);
  });

  it('records the refusal as REJECTED with invalid_credentials and audits it', async () => {
    const input = await t.create({ accountName: 'alice', totpCode: t.code('alice') }, 'single-shot-only');
    const error = await rejection(t.verify(input));
    // What Record Rejection sends after the Catch on the error name.
    const { audit } = await t.tasks.recordOutcome({
      requestId: input.requestId,
      status: 'REJECTED',
      error: { Error: error.name },
    });
    expect(t.requests.peek(input.requestId)).toMatchObject({
      status: 'REJECTED',
      error: { code: 'invalid_credentials', message: new InvalidCredentialsError().message },
    });
    expect(JSON.parse(JSON.parse(audit.message).default)).toMatchObject({
      type: 'request.rejected',
      error: { code: 'invalid_credentials' },
    });
    expect(audit.subject).toBe('Credentials Request Rejected');
    const view = await t.broker.getRequest(input.requestId);
    expect(view.error).toEqual({ code: 'invalid_credentials', message: new InvalidCredentialsError().message });
  });

  it('without the mode, the same request still waits for approval', async () => {
    const input = await t.create({ accountName: 'alice', totpCode: t.code('alice') });
    await expect(t.verify(input)).resolves.toEqual({ next: 'awaitApproval' });
  });
});

describe('dispatch of the mode', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it.each([null, undefined])('treats mode %s as no mode', async (mode) => {
    const input = await t.create({ accountName: 'alice', totpCode: t.code('alice') });
    await expect(t.tasks.dispatch({ ...input, mode, action: 'verifyRequester' })).resolves.toEqual({
      next: 'awaitApproval',
    });
  });

  it.each(['single-shot', 'SINGLE-SHOT-ONLY', 1, true])(
    'refuses an unknown mode %s before anything else',
    async (mode) => {
      const input = await t.create({ accountName: 'alice', totpCode: t.code('alice') });
      await expect(t.tasks.dispatch({ ...input, mode, action: 'verifyRequester' })).rejects.toBeInstanceOf(
        InvalidRequestError,
      );
      // The code was not spent: the payload was refused before authentication.
      expect(t.auth.peek(ISSUER, 'alice')?.lastStep).toBeUndefined();
    },
  );
});
