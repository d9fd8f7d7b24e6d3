/**
 * STSFTW 1.0's `POST /` through `createApp` with `app.request()`: first against a scripted broker (edge
 * validation, status mapping, polling, time budget), then against the real broker and tasks over the
 * in-memory ports with a small in-process workflow, so credentials really are sealed to the route's key.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, MAX_BODY_BYTES } from '../../../lambdas/api/app.js';
import { DEFAULT_LEGACY_TIMEOUT_MS, type LegacyRouteOptions } from '../../../lambdas/api/legacy-route.js';
import {
  type Broker,
  type BrokerConfig,
  type CreateRequestInput,
  createBroker,
  type RequestView,
} from '../../../lambdas/core/broker.js';
import {
  InternalError,
  InvalidCredentialsError,
  InvalidRequestError,
  SelfApprovalError,
} from '../../../lambdas/core/errors.js';
import type { Workflow } from '../../../lambdas/core/ports.js';
import { generateKeyPair, seal } from '../../../lambdas/core/sealing.js';
import { createMintTask, type MintTask } from '../../../lambdas/core/tasks/mint.js';
import { createVerifyTasks, type VerifyTasks } from '../../../lambdas/core/tasks/verify.js';
import type { ExecutionInput, RequestStatus } from '../../../lambdas/core/types.js';
import { mintRoutes, type TaskHandler, taskHandler, verifyRoutes } from '../../../lambdas/handlers/task-router.js';
import { legacyClientRun, legacyClientRunOn } from '../../support/legacy-go-client.js';
import { enroll, memoryPorts, totpCode } from '../../support/memory.js';

const ID = 'r_0123456789abcdefghjkmnpqrs';
const legacyBody = {
  Issuer: 'acme',
  AccountName: 'alice',
  TOTPCode: '123456',
  SecondaryAccountName: '',
  SecondaryTOTPCode: '',
  Role: 'Admin',
};
const CREDENTIALS = {
  AccessKeyId: 'ASIAFAKE000000000001',
  SecretAccessKey: 'fake-secret-access-key-do-not-log',
  SessionToken: 'fake-session-token-do-not-log',
  Expiration: '2030-01-01T01:00:00.000Z',
};

function view(status: RequestStatus, extra: Partial<RequestView> = {}): RequestView {
  return {
    id: ID,
    status,
    issuer: 'acme',
    accountName: 'alice',
    role: 'Admin',
    secondaryAccountName: null,
    reason: null,
    durationSeconds: 3600,
    createdAt: '2030-01-01T00:00:00.000Z',
    decisionDeadline: '2030-01-01T00:15:00.000Z',
    approvedBy: null,
    approvalsRequired: 0,
    approvals: [],
    deniedBy: null,
    denialReason: null,
    verificationCode: 'K7Q-M2X',
    error: null,
    ...extra,
  };
}

/** A broker whose request goes through `statuses` (one per poll, the last one repeating). */
function scriptedBroker(statuses: (RequestStatus | RequestView)[]) {
  let publicKey = '';
  let polls = 0;
  return {
    createRequest: vi.fn(async (input: CreateRequestInput) => {
      publicKey = input.publicKey;
      return { id: ID, status: 'VERIFYING' as const, verificationCode: 'K7Q-M2X', decisionDeadline: 'x' };
    }),
    getRequest: vi.fn(async (): Promise<RequestView> => {
      const step = statuses[Math.min(polls++, statuses.length - 1)];
      if (typeof step !== 'string') return step;
      if (step !== 'MINTED') return view(step);
      const sealed = await seal(publicKey, JSON.stringify(CREDENTIALS), ID);
      return view('MINTED', { credentials: { sealed, expiration: CREDENTIALS.Expiration } });
    }),
    approve: vi.fn(),
    deny: vi.fn(),
  };
}

/** Time that only moves when the route sleeps. */
function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  const options: Required<Pick<LegacyRouteOptions, 'now' | 'sleep'>> = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  return { options, sleeps };
}

let lines: any[];
function appWith(broker: unknown, legacy: LegacyRouteOptions = fakeTime().options) {
  return createApp({ broker: broker as Broker, log: (line) => lines.push(line), legacy });
}

function post(
  app: ReturnType<typeof createApp>,
  body: unknown,
  headers: Record<string, string> = { 'Content-Type': 'application/json' },
  env?: unknown,
  path = '/',
) {
  const init = { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
  return app.request(path, init, env as any);
}

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as { detail: string };
  expect(body).toMatchObject({ type: `urn:stsftw:problem:${code}`, status, code, detail: expect.any(String) });
  return body;
}

/**
 * A refusal on `POST /`: its status, and a plain-text body (`code: sentence`) that 1.0's Go client cannot
 * take for credentials, so `sts get` exits 1 and prints no `export` line. Returns the sentence.
 */
async function expectRefusal(res: Response, status: number, code: string): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const text = await res.clone().text();
  const run = await legacyClientRunOn(res);
  expect({ exitCode: run.exitCode, stdout: run.stdout }).toEqual({ exitCode: 1, stdout: '' });
  expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  const match = /^([a-z_]+): (.+)\n$/s.exec(text);
  expect(match?.[1]).toBe(code);
  return match?.[2] as string;
}

/** Nothing secret in the log lines: no code, no credential part. */
function expectCleanLogs() {
  const text = JSON.stringify(lines);
  for (const secret of [legacyBody.TOTPCode, CREDENTIALS.SecretAccessKey, CREDENTIALS.SessionToken]) {
    expect(text).not.toContain(secret);
  }
  expect(text).not.toContain(CREDENTIALS.AccessKeyId);
}

beforeEach(() => {
  lines = [];
});

describe('POST / (STSFTW 1.0) against a scripted broker', () => {
  it('answers 200 with the opened credentials, no-store, after polling to MINTED', async () => {
    const broker = scriptedBroker(['VERIFYING', 'APPROVED', 'MINTED']);
    const res = await post(appWith(broker), legacyBody);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual(CREDENTIALS);
    expect(broker.getRequest).toHaveBeenCalledTimes(3);
    expect(broker.getRequest).toHaveBeenCalledWith(ID);
    expectCleanLogs();
  });

  it('creates a single-shot-only request with a fresh public key; empty secondary fields mean absent', async () => {
    const broker = scriptedBroker(['MINTED']);
    await post(appWith(broker), legacyBody);
    await post(appWith(broker), legacyBody);
    expect(broker.createRequest).toHaveBeenCalledTimes(2);
    const [first, second] = broker.createRequest.mock.calls;
    expect(first).toEqual([
      {
        issuer: 'acme',
        accountName: 'alice',
        role: 'Admin',
        totpCode: '123456',
        publicKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      },
      { mode: 'single-shot-only' },
    ]);
    // A key pair per call.
    expect(second[0].publicKey).not.toBe(first[0].publicKey);
  });

  it('passes the secondary account and code on', async () => {
    const broker = scriptedBroker(['MINTED']);
    const body = { ...legacyBody, SecondaryAccountName: 'bob', SecondaryTOTPCode: '654321' };
    expect((await post(appWith(broker), body)).status).toBe(200);
    expect(broker.createRequest.mock.calls[0][0]).toMatchObject({
      secondaryAccountName: 'bob',
      secondaryTotpCode: '654321',
    });
  });

  it('accepts a body without the secondary fields (other 1.0 clients leave them out)', async () => {
    const broker = scriptedBroker(['MINTED']);
    const { SecondaryAccountName: _a, SecondaryTOTPCode: _b, ...minimal } = legacyBody;
    expect((await post(appWith(broker), minimal, { 'Content-Type': 'application/json; charset=utf-8' })).status).toBe(
      200,
    );
  });

  it('backs off between polls and never sleeps past the deadline', async () => {
    const time = fakeTime();
    const broker = scriptedBroker(['VERIFYING']);
    const res = await post(appWith(broker, { ...time.options, timeoutMs: 5_000 }), legacyBody);
    await expectRefusal(res, 504, 'internal');
    expect(time.sleeps.slice(0, 4)).toEqual([100, 150, 225, 337.5]);
    expect(Math.max(...time.sleeps)).toBe(1_000);
    expect(time.sleeps.reduce((a, b) => a + b, 0)).toBe(5_000);
    expect(lines).toContainEqual({ level: 'warn', msg: 'legacy request timed out', requestId: ID });
  });

  it(`waits ${DEFAULT_LEGACY_TIMEOUT_MS} ms by default`, async () => {
    const time = fakeTime();
    const res = await post(appWith(scriptedBroker(['APPROVED']), time.options), legacyBody);
    expect(res.status).toBe(504);
    expect(time.sleeps.reduce((a, b) => a + b, 0)).toBe(DEFAULT_LEGACY_TIMEOUT_MS);
  });

  it("on Lambda waits no longer than the invocation's remaining time allows", async () => {
    const time = fakeTime();
    const lambdaContext = { getRemainingTimeInMillis: () => 4_000 };
    const res = await post(appWith(scriptedBroker(['VERIFYING']), time.options), legacyBody, undefined, {
      lambdaContext,
    });
    expect(res.status).toBe(504);
    expect(time.sleeps.reduce((a, b) => a + b, 0)).toBe(2_500);
  });

  it.each([
    [new InvalidCredentialsError().toJSON(), 401],
    [{ code: 'not_an_approver', message: 'This account may not approve this request.' }, 403],
    [{ code: 'role_not_permitted', message: 'This account may not assume that role.' }, 403],
    [{ code: 'self_approval', message: 'A request cannot be approved…' }, 403],
    [{ code: 'invalid_request', message: 'The request is not valid.' }, 400],
    [{ code: 'locked_out', message: 'Too many failed attempts.' }, 429],
  ])('answers a REJECTED request with its stored error %o', async (error, status) => {
    const res = await post(appWith(scriptedBroker(['VERIFYING', view('REJECTED', { error })])), legacyBody);
    const detail = await expectRefusal(res, status, error.code);
    expect(detail).toBe(error.message);
  });

  it('answers EXPIRED with 410 expired', async () => {
    const error = { code: 'expired', message: 'This request has expired.' };
    await expectRefusal(await post(appWith(scriptedBroker([view('EXPIRED', { error })])), legacyBody), 410, 'expired');
  });

  it.each([
    [
      'FAILED (sts_failed)',
      view('FAILED', { error: { code: 'sts_failed', message: 'STS said AccessDenied for arn:…' } }),
    ],
    ['FAILED (audit_failed)', view('FAILED', { error: { code: 'audit_failed', message: 'audit' } })],
    ['FAILED (internal)', view('FAILED', { error: { code: 'internal', message: 'Minting failed.' } })],
    ['REJECTED without a client-facing reason', view('REJECTED', { error: { code: 'internal', message: 'x' } })],
    ['DENIED (cannot happen single-shot)', view('DENIED')],
    ['MINTED without credentials', view('MINTED')],
  ])('answers %s with a generic 500 internal and logs the code', async (_, final) => {
    const res = await post(appWith(scriptedBroker([final])), legacyBody);
    const detail = await expectRefusal(res, 500, 'internal');
    expect(detail).toBe('The credentials could not be issued; none were released.');
    expect(lines).toContainEqual({
      level: 'warn',
      msg: 'legacy request failed',
      requestId: ID,
      status: final.status,
      errorCode: final.error?.code ?? null,
    });
  });

  it('answers sealed credentials it cannot open with 500, without leaking them', async () => {
    // Sealed to some other key than the one the route made.
    const sealed = await seal((await generateKeyPair()).publicKey, JSON.stringify(CREDENTIALS), ID);
    const broker = scriptedBroker([view('MINTED', { credentials: { sealed, expiration: CREDENTIALS.Expiration } })]);
    const res = await post(appWith(broker), legacyBody);
    await expectRefusal(res, 500, 'internal');
    expectCleanLogs();
  });

  it('answers errors of createRequest like the rest of the API', async () => {
    const broker = scriptedBroker(['MINTED']);
    broker.createRequest.mockRejectedValueOnce(new SelfApprovalError());
    await expectRefusal(await post(appWith(broker), legacyBody), 403, 'self_approval');
    broker.createRequest.mockRejectedValueOnce(new InvalidRequestError('totpCode must be exactly 6 digits.'));
    await expectRefusal(await post(appWith(broker), legacyBody), 400, 'invalid_request');
    broker.createRequest.mockRejectedValueOnce(new InternalError('The approval workflow could not be started.'));
    await expectRefusal(await post(appWith(broker), legacyBody), 500, 'internal');
    expect(broker.getRequest).not.toHaveBeenCalled();
  });
});

describe('POST / (STSFTW 1.0) validation', () => {
  let broker: ReturnType<typeof scriptedBroker>;
  let app: ReturnType<typeof createApp>;
  beforeEach(() => {
    broker = scriptedBroker(['MINTED']);
    app = appWith(broker);
  });

  it.each([
    ['an unknown field', { ...legacyBody, DurationSeconds: 900 }],
    ['a 2.0 field name', { ...legacyBody, issuer: 'acme' }],
    ['a field in another case', { ...legacyBody, TotpCode: '123456' }],
    ['a missing Issuer', { ...legacyBody, Issuer: undefined }],
    ['a missing TOTPCode', { ...legacyBody, TOTPCode: undefined }],
    ['a missing Role', { ...legacyBody, Role: undefined }],
    ['an empty AccountName', { ...legacyBody, AccountName: '' }],
    ['an empty TOTPCode', { ...legacyBody, TOTPCode: '' }],
    ['a numeric TOTPCode', { ...legacyBody, TOTPCode: 123456 }],
    ['a null SecondaryTOTPCode', { ...legacyBody, SecondaryTOTPCode: null }],
    ['a numeric SecondaryAccountName', { ...legacyBody, SecondaryAccountName: 7 }],
    ['an overlong Role', { ...legacyBody, Role: 'r'.repeat(2049) }],
  ])('refuses %s with 400 invalid_request', async (_, body) => {
    await expectRefusal(await post(app, body), 400, 'invalid_request');
    expect(broker.createRequest).not.toHaveBeenCalled();
  });

  it.each([
    ['malformed JSON', '{"Issuer": "acme",'],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
  ])('refuses %s with 400 invalid_request', async (_, raw) => {
    await expectRefusal(await post(app, raw), 400, 'invalid_request');
    expect(broker.createRequest).not.toHaveBeenCalled();
  });

  it.each([
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['no content type', {}],
    ['form data', { 'Content-Type': 'application/x-www-form-urlencoded' }],
  ])('refuses %s with 415 invalid_request', async (_, headers) => {
    await expectRefusal(await post(app, legacyBody, headers), 415, 'invalid_request');
    expect(broker.createRequest).not.toHaveBeenCalled();
  });

  it("names 1.0's own fields when a second code comes without a second account", async () => {
    const detail = await expectRefusal(
      await post(app, { ...legacyBody, SecondaryTOTPCode: '654321' }),
      400,
      'invalid_request',
    );
    expect(detail).toBe('SecondaryTOTPCode needs SecondaryAccountName.');
    expect(broker.createRequest).not.toHaveBeenCalled();
  });

  it('refuses a body over 16 KiB with 413 invalid_request', async () => {
    await expectRefusal(await post(app, { ...legacyBody, Role: 'x'.repeat(MAX_BODY_BYTES) }), 413, 'invalid_request');
    expect(broker.createRequest).not.toHaveBeenCalled();
  });

  it('never echoes a value, and never logs the body', async () => {
    const res = await post(app, { ...legacyBody, TOTPCode: 987654, SecondaryTOTPCode: '' });
    const detail = await expectRefusal(res, 400, 'invalid_request');
    expect(detail).not.toContain('987654');
    expect(JSON.stringify(lines)).not.toContain('987654');
  });

  it('leaves GET /, other methods and other paths not found, in plain text outside /v1', async () => {
    await expectRefusal(await app.request('/'), 404, 'not_found');
    await expectRefusal(await app.request('/', { method: 'PUT' }), 404, 'not_found');
    await expectRefusal(await post(app, legacyBody, undefined, undefined, '/sts'), 404, 'not_found');
  });

  it('refuses a Host the embedded broker does not answer (421) in plain text too', async () => {
    const guarded = createApp({
      broker: broker as unknown as Broker,
      log: (line) => lines.push(line),
      allowedHosts: ['127.0.0.1:8787'],
    });
    const headers = { 'Content-Type': 'application/json', Host: 'attacker.example:8787' };
    await expectRefusal(await post(guarded, legacyBody, headers), 421, 'invalid_request');
    expect(broker.createRequest).not.toHaveBeenCalled();
    await expectProblem(
      await guarded.request('/v1/health', { headers: { Host: 'attacker.example:8787' } }),
      421,
      'invalid_request',
    );
  });

  it('keeps /v1 refusals problem+json', async () => {
    await expectProblem(await app.request('/v1/nothing'), 404, 'not_found');
    await expectProblem(await post(app, '{', undefined, undefined, '/v1/requests'), 400, 'invalid_request');
    await expectProblem(
      await post(app, {}, { 'Content-Type': 'text/plain' }, undefined, '/v1/requests'),
      415,
      'invalid_request',
    );
    await expectProblem(
      await post(app, { pad: 'x'.repeat(MAX_BODY_BYTES) }, undefined, undefined, '/v1/requests'),
      413,
      'invalid_request',
    );
  });
});

describe("1.0's Go client replayed over POST / answers", () => {
  it.each([
    ['an empty body', 1, ''],
    ['plain text', 1, 'locked_out: Too many failed attempts.\n'],
    ['text that starts like a literal', 1, 'not_found: No such resource.\n'],
    ['a JSON string', 1, '"nope"'],
    ['a JSON number', 1, '500'],
    ['a JSON array', 1, '[]'],
    ['true', 1, 'true'],
    ['an object followed by text', 1, '{} x'],
    ['an object with a byte-order mark', 1, '\uFEFF{}'],
    ['a credential field that is not a string', 1, '{"AccessKeyId":5}'],
    ['null', 0, 'null'],
    ['an empty object', 0, ' {} '],
    ['a problem+json body', 0, JSON.stringify({ type: 'x', title: 'y', status: 401, code: 'z', detail: 'w' })],
    ['a null credential field', 0, '{"AccessKeyId":null}'],
  ])('models encoding/json: %s exits %i', (_, exitCode, body) => {
    expect(legacyClientRun(body).exitCode).toBe(exitCode);
  });

  it('models case-insensitive field names, the last duplicate winning, unknown fields ignored', () => {
    const run = legacyClientRun(
      '{"accesskeyid":"A1","SECRETACCESSKEY":"x","SecretAccessKey":"S1","SessionToken":"T1","n":[1]}',
    );
    expect(run).toEqual({
      exitCode: 0,
      stdout: 'export AWS_ACCESS_KEY_ID=A1\nexport AWS_SECRET_ACCESS_KEY=S1\nexport AWS_SESSION_TOKEN=T1\n',
    });
    // Why a JSON refusal is dangerous: 1.0's client "succeeds" and prints empty variables.
    expect(legacyClientRun('{"code":"invalid_credentials"}').stdout).toBe(
      'export AWS_ACCESS_KEY_ID=\nexport AWS_SECRET_ACCESS_KEY=\nexport AWS_SESSION_TOKEN=\n',
    );
  });

  it('prints the three exports for a mint and exits 0', async () => {
    const run = await legacyClientRunOn(await post(appWith(scriptedBroker(['MINTED'])), legacyBody));
    expect(run).toEqual({
      exitCode: 0,
      stdout:
        `export AWS_ACCESS_KEY_ID=${CREDENTIALS.AccessKeyId}\n` +
        `export AWS_SECRET_ACCESS_KEY=${CREDENTIALS.SecretAccessKey}\n` +
        `export AWS_SESSION_TOKEN=${CREDENTIALS.SessionToken}\n`,
    });
  });

  it('exits 1 on a bug that escapes the route (500)', async () => {
    const broker = scriptedBroker(['MINTED']);
    broker.createRequest.mockRejectedValueOnce(new TypeError('x is undefined'));
    const detail = await expectRefusal(await post(appWith(broker), legacyBody), 500, 'internal');
    expect(detail).not.toContain('x is undefined');
  });
});

// ---------------------------------------------------------------------------------------------------------
// The real broker and tasks over the in-memory ports.

const ISSUER = 'acme';
const brokerConfig: BrokerConfig = {
  partition: 'aws',
  approvalTimeoutSeconds: 900,
  maxSessionSeconds: 3600,
  requestRetentionSeconds: 86_400,
};
const rejectionNames = new Set([
  'InvalidRequestError',
  'InvalidCredentialsError',
  'NotAnApproverError',
  'SelfApprovalError',
  'RoleNotPermittedError',
  'LockedOutError',
]);

/** Both task functions, and the router the state machine's payloads go through. */
type Tasks = VerifyTasks & MintTask & { dispatch: TaskHandler };

/**
 * The state machine's happy and failure paths, in process: Verify Requester → (Verify Approver) → Mint →
 * Release, rejections → Record Rejection, anything else → Record Failure. `Await Approval` is a test failure.
 */
class InlineWorkflow implements Workflow {
  readonly runs: Promise<void>[] = [];
  readonly waited: string[] = [];
  constructor(
    private readonly tasks: () => Tasks,
    private readonly ports: ReturnType<typeof memoryPorts>,
  ) {}

  async start(input: ExecutionInput): Promise<void> {
    // Like StartExecution: the execution runs after the call has returned.
    this.runs.push(new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.run(input)));
  }

  private async run(input: ExecutionInput): Promise<void> {
    const tasks = this.tasks();
    const { requestId } = input;
    try {
      const { next } = (await tasks.dispatch({ ...input, action: 'verifyRequester' })) as { next: string };
      if (next === 'awaitApproval') {
        this.waited.push(requestId);
        return;
      }
      if (next === 'verifyApprover') {
        await tasks.verifyApprover({
          requestId,
          accountName: input.secondaryAccountName as string,
          totpCode: input.secondaryTotpCode as string,
        });
      }
      const minted = await tasks.mint({ requestId });
      // What SNS hands a `default` subscriber: the JSON event.
      await this.ports.audit.publish(JSON.parse(JSON.parse(minted.audit.message).default));
      await this.ports.requests.transition(requestId, ['APPROVED'], 'MINTED', {
        sealedCredentials: JSON.parse(minted.sealed),
        expiration: minted.expiration,
        taskToken: null,
      });
    } catch (e) {
      const name = (e as Error).name;
      const status = rejectionNames.has(name) ? 'REJECTED' : 'FAILED';
      const { audit } = await tasks.recordOutcome({ requestId, status, error: { Error: name } });
      await this.ports.audit.publish(JSON.parse(JSON.parse(audit.message).default));
    }
  }

  async approve(): Promise<void> {
    throw new Error('a single-shot-only request must never be approved through a task token');
  }
  async deny(): Promise<void> {
    throw new Error('a single-shot-only request must never be denied through a task token');
  }
}

async function memorySetup() {
  const ports = memoryPorts('2030-01-01T00:00:10.000Z');
  let tasks: Tasks | undefined;
  const workflow = new InlineWorkflow(() => tasks as Tasks, ports);
  const config = { maxSessionSeconds: 3600, partition: 'aws', roleAccountId: '123456789012' };
  const verify = createVerifyTasks({ ...ports, config });
  const mint = createMintTask({ ...ports, config });
  tasks = { ...verify, ...mint, dispatch: taskHandler({ ...verifyRoutes(verify), ...mintRoutes(mint) }) };
  const broker = createBroker({ ...ports, workflow, config: brokerConfig });
  const urls = {
    alice: await enroll(ports.auth, ports.cipher, {
      issuer: ISSUER,
      accountName: 'alice',
      roles: ['Admin'],
      secondaryAuthorization: ['bob'],
    }),
    bob: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'bob' }),
    solo: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'solo', roles: ['Admin'] }),
  };
  const code = (who: keyof typeof urls) => totpCode(urls[who], ports.clock.now());
  /** A well-formed code that none of the accepted steps (±1) produces. */
  const wrongCode = (who: keyof typeof urls) => {
    const valid = [-1, 0, 1].map((offset) => totpCode(urls[who], ports.clock.now(), offset));
    return ['000000', '111111', '222222', '333333'].find((c) => !valid.includes(c)) as string;
  };
  // The route's pause lets every started execution finish, so the next poll sees its outcome; time only
  // moves by the pauses (a request left waiting would end in 504, not hang the test).
  let now = 0;
  const app = createApp({
    broker,
    log: (line) => lines.push(line),
    legacy: {
      now: () => now,
      sleep: async (ms) => {
        await Promise.all(workflow.runs);
        now += ms;
      },
    },
  });
  return { ...ports, workflow, broker, app, code, wrongCode };
}

describe('POST / (STSFTW 1.0) through the real broker and tasks', () => {
  let t: Awaited<ReturnType<typeof memorySetup>>;
  beforeEach(async () => {
    t = await memorySetup();
  });

  it("mints for a single-factor account: the minter's credentials, audited", async () => {
    const res = await post(t.app, { ...legacyBody, AccountName: 'solo', TOTPCode: t.code('solo') });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      AccessKeyId: 'ASIAFAKE000000000001',
      SecretAccessKey: 'fake-secret-1',
      SessionToken: 'fake-token-1',
      Expiration: expect.any(String),
    });
    expect(t.minter.calls).toHaveLength(1);
    expect(t.audit.events).toEqual([
      expect.objectContaining({ type: 'request.minted', accountName: 'solo', approvedBy: [] }),
    ]);
    // At rest only ciphertext, and nothing in the store can open it.
    const [record] = t.requests.records.values();
    expect(record.status).toBe('MINTED');
    expect(JSON.stringify(record)).not.toContain('fake-secret-1');
  });

  it('mints for a two-party account when both codes come in the one call', async () => {
    const res = await post(t.app, {
      ...legacyBody,
      TOTPCode: t.code('alice'),
      SecondaryAccountName: 'bob',
      SecondaryTOTPCode: t.code('bob'),
    });
    expect(res.status).toBe(200);
    expect(t.audit.events).toEqual([
      expect.objectContaining({
        type: 'request.approved',
        approvedBy: ['bob'],
        approvalCount: 1,
        approvalsRequired: 1,
      }),
      expect.objectContaining({ type: 'request.minted', approvedBy: ['bob'] }),
    ]);
  });

  it('refuses a two-party account without a second code at once, as invalid_credentials', async () => {
    const res = await post(t.app, { ...legacyBody, TOTPCode: t.code('alice') });
    await expectRefusal(res, 401, 'invalid_credentials');
    expect(t.workflow.waited).toEqual([]);
    expect(t.minter.calls).toEqual([]);
    expect(t.audit.events).toEqual([
      expect.objectContaining({
        type: 'request.rejected',
        error: expect.objectContaining({ code: 'invalid_credentials' }),
      }),
    ]);
  });

  it('refuses a wrong second code with 401', async () => {
    const res = await post(t.app, {
      ...legacyBody,
      TOTPCode: t.code('alice'),
      SecondaryAccountName: 'bob',
      SecondaryTOTPCode: t.wrongCode('bob'),
    });
    await expectRefusal(res, 401, 'invalid_credentials');
    expect(t.minter.calls).toEqual([]);
  });

  it('refuses a role the account may not assume with 403 role_not_permitted', async () => {
    const res = await post(t.app, { ...legacyBody, AccountName: 'solo', TOTPCode: t.code('solo'), Role: 'Other' });
    await expectRefusal(res, 403, 'role_not_permitted');
  });

  it('answers a failed mint with a generic 500', async () => {
    t.minter.fail = new Error('AccessDenied: not authorized to perform sts:AssumeRole on arn:aws:iam::1:role/x');
    const res = await post(t.app, { ...legacyBody, AccountName: 'solo', TOTPCode: t.code('solo') });
    const detail = await expectRefusal(res, 500, 'internal');
    expect(detail).not.toContain('AccessDenied');
    expect(t.audit.events).toEqual([expect.objectContaining({ type: 'request.failed' })]);
  });
});
