/**
 * Runs the real statemachine/approval.asl.json through the local workflow down every branch. The Lambda
 * tasks are a scripted stub (throwing the core error names to steer the branches), DynamoDB is a real
 * dynalite (Release Credentials is a genuine UpdateItem), audit is a stub that records messages.
 */
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, requestsTableKeys } from '../../lambdas/adapters/aws/tables.js';
import {
  createLocalWorkflow,
  type ExecutionEvent,
  type ExecutionStatus,
  type LocalWorkflow,
} from '../../lambdas/adapters/local/local-workflow.js';
import type { SnsPublishParameters } from '../../lambdas/adapters/local/workflow-handlers.js';
import { auditMessage } from '../../lambdas/core/audit-message.js';
import {
  AlreadyDecidedError,
  ConflictError,
  InvalidCredentialsError,
  RoleNotPermittedError,
  StsFailedError,
} from '../../lambdas/core/errors.js';
import type { AuditEvent, ExecutionInput } from '../../lambdas/core/types.js';
import { loadDefinition, localSubstitutions } from '../../statemachine/definition.js';
import { startTcpDynalite, type TcpDynalite } from '../support/tcp-dynalite.js';

const tableName = 'stsftw-requests-test';
const requesterCode = '314159';
const approverCode = '271828';
const sealed = JSON.stringify({ enc: 'ZW5jYXBzdWxhdGVk', ciphertext: 'b3BhcXVlLWNpcGhlcnRleHQ' });
const expiration = '2030-01-01T01:00:00.000Z';
// Anything shaped like plaintext AWS credentials.
const plaintextCredentials = /AccessKeyId|SecretAccessKey|SessionToken|\b(AKIA|ASIA)[A-Z0-9]{16}\b/;

let db: TcpDynalite;
let client: DynamoDBClient;
let counter = 0;

beforeAll(async () => {
  db = await startTcpDynalite();
  client = db.client;
  await ensureTable(client, tableName, requestsTableKeys, { pollIntervalMs: 10 });
});

afterAll(async () => {
  await db?.close();
});

type Payload = { action: string } & Record<string, any>;
type Script = Partial<Record<string, (payload: Payload, attempt: number) => unknown>>;

interface Harness {
  workflow: LocalWorkflow;
  calls: Payload[];
  audits: string[];
  auditAttempts: string[];
  /** The parameters of every successful `sns:publish`, as the states resolved them. */
  publishes: SnsPublishParameters[];
  events: ExecutionEvent[];
  settled: Promise<ExecutionStatus>;
  tokenStored: Promise<string>;
  input: ExecutionInput;
}

const open: LocalWorkflow[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});

/** An audit event as the tasks would describe request `requestId`. */
function event(type: AuditEvent['type'], requestId: string, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    type,
    at: '2030-01-01T00:00:00.000Z',
    issuer: 'acme',
    accountName: 'alice',
    requestId,
    role: 'Admin',
    ...extra,
  };
}

function named(name: string, message = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Seeds the request item the way the API and the verify tasks would have left it. */
async function seed(id: string, status: string): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { id: { S: id }, status: { S: status }, task_token: { S: 'stale-token' } },
    }),
  );
}

async function item(id: string): Promise<Record<string, any> | undefined> {
  const out = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }),
  );
  return out.Item;
}

/**
 * A workflow over the real definition. `script` overrides the default answer of each task action; the
 * defaults are the happy path (asynchronous approval).
 */
function harness(
  options: { script?: Script; failAudit?: (message: string) => boolean; input?: Partial<ExecutionInput> } = {},
): Harness {
  counter += 1;
  const id = `r_test${counter.toString().padStart(22, '0')}`;
  const calls: Payload[] = [];
  const audits: string[] = [];
  const auditAttempts: string[] = [];
  const publishes: SnsPublishParameters[] = [];
  const events: ExecutionEvent[] = [];
  const attempts = new Map<string, number>();
  let storeToken!: (token: string) => void;
  const tokenStored = new Promise<string>((resolve) => {
    storeToken = resolve;
  });
  let settle!: (status: ExecutionStatus) => void;
  const settled = new Promise<ExecutionStatus>((resolve) => {
    settle = resolve;
  });
  const defaults: Script = {
    verifyRequester: () => ({ next: 'awaitApproval' }),
    verifyApprover: () => ({ next: 'mint', approvedBy: 'bob' }),
    awaitApproval: (p) => {
      storeToken(p.taskToken);
      return { stored: true };
    },
    mint: (p) => ({ sealed, expiration, audit: auditMessage(event('request.minted', p.requestId, { expiration })) }),
    recordOutcome: (p) => ({
      audit: auditMessage(event(`request.${String(p.status).toLowerCase()}` as AuditEvent['type'], p.requestId)),
    }),
    notifyMinted: () => ({ notified: true }),
  };
  const script = { ...defaults, ...options.script };
  const workflow = createLocalWorkflow({
    definition: loadDefinition(localSubstitutions({ requestsTableName: tableName })),
    dynamodb: client,
    retryIntervalMs: 1,
    async dispatch(payload) {
      calls.push(structuredClone(payload));
      const attempt = (attempts.get(payload.action) ?? 0) + 1;
      attempts.set(payload.action, attempt);
      const answer = script[payload.action];
      if (!answer) throw new Error(`unscripted action ${payload.action}`);
      return answer(payload, attempt);
    },
    async audit(message, publish) {
      auditAttempts.push(message);
      if (options.failAudit?.(message)) throw named('InternalErrorException', 'SNS is down');
      audits.push(message);
      publishes.push(publish);
    },
    onEvent: (_id, event) => events.push(event),
    onSettled: (_id, status) => settle(status),
  });
  open.push(workflow);
  const input: ExecutionInput = {
    requestId: id,
    totpCode: requesterCode,
    approvalTimeoutSeconds: 600,
    ...options.input,
  };
  return { workflow, calls, audits, auditAttempts, publishes, events, settled, tokenStored, input };
}

const actions = (h: Harness) => h.calls.map((c) => c.action);
const outcome = (h: Harness) => h.calls.find((c) => c.action === 'recordOutcome');
const auditTypes = (h: Harness) => h.audits.map((m) => JSON.parse(m).type);

/** The code's six digits not inside a longer run of digits (millisecond timestamps hold random digit runs). */
const standalone = (code: string) => new RegExp(`(?<![0-9])${code}(?![0-9])`);

/** What reaches the execution history: no state output after verification carries a secret. */
function expectCleanHistory(h: Harness, token?: string): void {
  const exited = h.events.filter((e) => e.type === 'StateExited');
  expect(exited.length).toBeGreaterThan(0);
  for (const event of h.events) {
    const text = JSON.stringify(event);
    if (token) expect(text, event.type).not.toContain(token);
    expect(text, event.type).not.toMatch(plaintextCredentials);
  }
  for (const event of exited) {
    if (event.state.name === 'Prepare Verification') {
      // The execution input plus the task name: the only output that still holds the codes.
      expect(event.state.output).toEqual({ ...h.input, action: 'verifyRequester' });
      continue;
    }
    const output = JSON.stringify(event.state.output);
    expect(output, event.state.name).not.toMatch(standalone(requesterCode));
    expect(output, event.state.name).not.toMatch(standalone(approverCode));
  }
  const end = h.events.find((e) => e.type === 'ExecutionSucceeded');
  if (end) expect(JSON.stringify(end)).not.toMatch(standalone(requesterCode));
}

describe('approval state machine, run locally', () => {
  it('mints and releases after an asynchronous approval', async () => {
    const h = harness();
    await seed(h.input.requestId, 'VERIFYING');
    await h.workflow.start(h.input);
    const token = await h.tokenStored;
    // The API's approve: transition AWAITING_APPROVAL → APPROVED, then SendTaskSuccess.
    await seed(h.input.requestId, 'APPROVED');
    await h.workflow.approve(token, { approvedBy: 'bob' });

    expect(await h.settled).toBe('SUCCEEDED');
    expect(actions(h)).toEqual(['verifyRequester', 'awaitApproval', 'mint', 'notifyMinted']);
    expect(h.calls[0]).toEqual({
      action: 'verifyRequester',
      requestId: h.input.requestId,
      totpCode: requesterCode,
      approvalTimeoutSeconds: 600,
    });
    expect(h.calls[1]).toEqual({ action: 'awaitApproval', requestId: h.input.requestId, taskToken: token });
    expect(h.calls[2]).toEqual({ action: 'mint', requestId: h.input.requestId });
    expect(auditTypes(h)).toEqual(['request.minted']);
    const released = await item(h.input.requestId);
    expect(released).toEqual({
      id: { S: h.input.requestId },
      status: { S: 'MINTED' },
      sealed_credentials: { S: sealed },
      expiration: { S: expiration },
    });
    await expect(h.workflow.approve(token, { approvedBy: 'bob' })).rejects.toThrow(AlreadyDecidedError);
    expect(h.workflow.running()).toBe(0);
    expectCleanHistory(h, token);
  });

  it('records a denial', async () => {
    const h = harness();
    await seed(h.input.requestId, 'AWAITING_APPROVAL');
    await h.workflow.start(h.input);
    const token = await h.tokenStored;
    await h.workflow.deny(token, { deniedBy: 'bob', reason: 'not today' });

    expect(await h.settled).toBe('SUCCEEDED');
    expect(actions(h)).toEqual(['verifyRequester', 'awaitApproval', 'recordOutcome']);
    expect(outcome(h)).toMatchObject({ requestId: h.input.requestId, status: 'DENIED', error: { Error: 'Denied' } });
    expect(JSON.parse(outcome(h)!.error.Cause)).toEqual({ deniedBy: 'bob', reason: 'not today' });
    expect(auditTypes(h)).toEqual(['request.denied']);
    expect((await item(h.input.requestId))?.sealed_credentials).toBeUndefined();
    await expect(h.workflow.approve(token, { approvedBy: 'bob' })).rejects.toThrow(AlreadyDecidedError);
    await expect(h.workflow.deny(token, { deniedBy: 'bob' })).rejects.toThrow(AlreadyDecidedError);
    expectCleanHistory(h, token);
  });

  it('expires when nobody decides before the deadline', async () => {
    const h = harness({ input: { approvalTimeoutSeconds: 1 } });
    await seed(h.input.requestId, 'AWAITING_APPROVAL');
    await h.workflow.start(h.input);
    const token = await h.tokenStored;

    expect(await h.settled).toBe('SUCCEEDED');
    expect(actions(h)).toEqual(['verifyRequester', 'awaitApproval', 'recordOutcome']);
    expect(outcome(h)).toMatchObject({ status: 'EXPIRED', error: { Error: 'States.Timeout' } });
    expect(auditTypes(h)).toEqual(['request.expired']);
    // A late approval is refused, as SendTaskSuccess answers TaskTimedOut on AWS.
    await expect(h.workflow.approve(token, { approvedBy: 'bob' })).rejects.toThrow(AlreadyDecidedError);
    expect((await item(h.input.requestId))?.status).toEqual({ S: 'AWAITING_APPROVAL' });
    expectCleanHistory(h, token);
  });

  it('rejects a wrong requester code without minting', async () => {
    const h = harness({
      script: {
        verifyRequester: () => {
          throw new InvalidCredentialsError();
        },
      },
    });
    await h.workflow.start(h.input);

    expect(await h.settled).toBe('SUCCEEDED');
    expect(actions(h)).toEqual(['verifyRequester', 'recordOutcome']);
    expect(outcome(h)).toMatchObject({
      requestId: h.input.requestId,
      status: 'REJECTED',
      error: { Error: 'InvalidCredentialsError' },
    });
    expect(auditTypes(h)).toEqual(['request.rejected']);
    expectCleanHistory(h);
  });

  it('verifies the approver in a single shot and rejects a wrong approver code', async () => {
    const h = harness({
      input: { secondaryAccountName: 'bob', secondaryTotpCode: approverCode },
      script: {
        verifyRequester: () => ({ next: 'verifyApprover' }),
        verifyApprover: () => {
          throw new InvalidCredentialsError();
        },
      },
    });
    await h.workflow.start(h.input);

    expect(await h.settled).toBe('SUCCEEDED');
    expect(actions(h)).toEqual(['verifyRequester', 'verifyApprover', 'recordOutcome']);
    expect(h.calls[0]).toMatchObject({ secondaryAccountName: 'bob', secondaryTotpCode: approverCode });
    expect(h.calls[1]).toEqual({
      action: 'verifyApprover',
      requestId: h.input.requestId,
      accountName: 'bob',
      totpCode: approverCode,
    });
    expect(outcome(h)).toMatchObject({ status: 'REJECTED', error: { Error: 'InvalidCredentialsError' } });
    expectCleanHistory(h);
  });

  it('mints at once after a single-shot approval', async () => {
    const h = harness({
      input: { secondaryAccountName: 'bob', secondaryTotpCode: approverCode },
      script: { verifyRequester: () => ({ next: 'verifyApprover' }) },
    });
    await seed(h.input.requestId, 'APPROVED');
    await h.workflow.start(h.input);

    expect(await h.settled).toBe('SUCCEEDED');
    expect(actions(h)).toEqual(['verifyRequester', 'verifyApprover', 'mint', 'notifyMinted']);
    expect((await item(h.input.requestId))?.status).toEqual({ S: 'MINTED' });
    expectCleanHistory(h);
  });

  it('waits for the rest of a quorum when the single-shot approval was not enough', async () => {
    const h = harness({
      input: { secondaryAccountName: 'bob', secondaryTotpCode: approverCode },
      script: {
        verifyRequester: () => ({ next: 'verifyApprover' }),
        verifyApprover: () => ({ next: 'awaitApproval', approvedBy: 'bob' }),
      },
    });
    await seed(h.input.requestId, 'VERIFYING');
    await h.workflow.start(h.input);
    const token = await h.tokenStored;
    expect(actions(h)).toEqual(['verifyRequester', 'verifyApprover', 'awaitApproval']);
    await seed(h.input.requestId, 'APPROVED');
    await h.workflow.approve(token, { approvedBy: 'carol' });
    expect(await h.settled).toBe('SUCCEEDED');
    expect(actions(h)).toEqual(['verifyRequester', 'verifyApprover', 'awaitApproval', 'mint', 'notifyMinted']);
    expect((await item(h.input.requestId))?.status).toEqual({ S: 'MINTED' });
    expectCleanHistory(h, token);
  });

  it('rejects a role the account may not assume', async () => {
    const h = harness({
      script: {
        verifyRequester: () => ({ next: 'mint' }),
        mint: () => {
          throw new RoleNotPermittedError();
        },
      },
    });
    await seed(h.input.requestId, 'APPROVED');
    await h.workflow.start(h.input);

    expect(await h.settled).toBe('SUCCEEDED');
    expect(actions(h)).toEqual(['verifyRequester', 'mint', 'recordOutcome']);
    expect(outcome(h)).toMatchObject({ status: 'REJECTED', error: { Error: 'RoleNotPermittedError' } });
    expect((await item(h.input.requestId))?.sealed_credentials).toBeUndefined();
    expectCleanHistory(h);
  });

  it('mints without waiting for a single-factor account', async () => {
    const h = harness({ script: { verifyRequester: () => ({ next: 'mint' }) } });
    await seed(h.input.requestId, 'APPROVED');
    await h.workflow.start(h.input);

    expect(await h.settled).toBe('SUCCEEDED');
    expect(actions(h)).toEqual(['verifyRequester', 'mint', 'notifyMinted']);
    expect(auditTypes(h)).toEqual(['request.minted']);
    expect(await item(h.input.requestId)).toMatchObject({ status: { S: 'MINTED' }, sealed_credentials: { S: sealed } });
    expectCleanHistory(h);
  });

  it.each([
    ['a mint', 'request.minted', 'Credentials Minted For Account', 'mint'],
    ['an outcome', 'request.rejected', 'Credentials Request Rejected', 'reject'],
  ] as const)(
    'publishes %s with its subject, per-protocol messages and an event_type attribute',
    async (_, type, subject, path) => {
      const script: Script =
        path === 'mint'
          ? { verifyRequester: () => ({ next: 'mint' }) }
          : {
              verifyRequester: () => {
                throw new InvalidCredentialsError();
              },
            };
      const h = harness({ script });
      await seed(h.input.requestId, 'APPROVED');
      await h.workflow.start(h.input);
      await h.settled;

      const expected = auditMessage(event(type, h.input.requestId, type === 'request.minted' ? { expiration } : {}));
      expect(h.publishes).toEqual([
        {
          TopicArn: expect.stringMatching(/^arn:aws:sns:/),
          Subject: subject,
          MessageStructure: 'json',
          Message: expected.message,
          MessageAttributes: { event_type: { DataType: 'String', StringValue: type } },
        },
      ]);
      const message = JSON.parse(h.publishes[0].Message);
      expect(Object.keys(message).sort()).toEqual(['default', 'email']);
      // The local stand-in hands on the default entry: the JSON event, as the audit log keeps it.
      expect(h.audits).toEqual([message.default]);
      expect(JSON.parse(message.default)).toMatchObject({ type, requestId: h.input.requestId });
      expect(message.email).toContain(`\nRequest ID: ${h.input.requestId}\n`);
      expectCleanHistory(h);
    },
  );

  it.each([
    ['a json message without a default entry', 'Credentials Minted For Account', '{"email":"x"}'],
    ['a json message that is not JSON', 'Credentials Minted For Account', 'minted'],
    ['a subject with a line break', 'Credentials\nMinted', '{"default":"{}"}'],
    ['a subject of 100 characters', 'x'.repeat(100), '{"default":"{}"}'],
  ])('fails closed, like SNS, on %s', async (_, subject, message) => {
    const h = harness({
      script: {
        verifyRequester: () => ({ next: 'mint' }),
        mint: () => ({ sealed, expiration, audit: { type: 'request.minted', subject, message } }),
      },
    });
    await seed(h.input.requestId, 'APPROVED');
    await h.workflow.start(h.input);

    expect(await h.settled).toBe('FAILED');
    expect(outcome(h)).toMatchObject({ status: 'FAILED', error: { Error: 'SNS.InvalidParameterException' } });
    expect((await item(h.input.requestId))?.sealed_credentials).toBeUndefined();
    expect(auditTypes(h)).toEqual(['request.failed']);
  });

  it('fails the request when STS fails', async () => {
    const h = harness({
      script: {
        verifyRequester: () => ({ next: 'mint' }),
        mint: () => {
          throw new StsFailedError();
        },
      },
    });
    await seed(h.input.requestId, 'APPROVED');
    await h.workflow.start(h.input);

    // FAILED requests end the execution as failed, for alarms.
    expect(await h.settled).toBe('FAILED');
    expect(actions(h)).toEqual(['verifyRequester', 'mint', 'recordOutcome']);
    expect(outcome(h)).toMatchObject({ status: 'FAILED', error: { Error: 'StsFailedError' } });
    expect(auditTypes(h)).toEqual(['request.failed']);
    expect(h.events.at(-1)).toMatchObject({ type: 'ExecutionFailed', Error: 'RequestFailed' });
    expectCleanHistory(h);
  });

  it('never releases credentials when the audit cannot be published (fail-closed)', async () => {
    const h = harness({
      script: { verifyRequester: () => ({ next: 'mint' }) },
      failAudit: (message) => JSON.parse(message).type === 'request.minted',
    });
    await seed(h.input.requestId, 'APPROVED');
    await h.workflow.start(h.input);

    expect(await h.settled).toBe('FAILED');
    // One attempt and four retries, then the failure branch.
    expect(h.auditAttempts.filter((m) => JSON.parse(m).type === 'request.minted')).toHaveLength(5);
    expect(actions(h)).toEqual(['verifyRequester', 'mint', 'recordOutcome']);
    expect(outcome(h)).toMatchObject({ status: 'FAILED', error: { Error: 'SNS.InternalErrorException' } });
    expect(auditTypes(h)).toEqual(['request.failed']);
    const record = await item(h.input.requestId);
    expect(record?.sealed_credentials).toBeUndefined();
    expect(record?.status).toEqual({ S: 'APPROVED' });
    expect(h.events.some((e) => e.type === 'StateEntered' && e.state.name === 'Release Credentials')).toBe(false);
    expectCleanHistory(h);
  });

  it('fails the request when the release finds it no longer APPROVED', async () => {
    const h = harness({ script: { verifyRequester: () => ({ next: 'mint' }) } });
    await seed(h.input.requestId, 'EXPIRED');
    await h.workflow.start(h.input);

    expect(await h.settled).toBe('FAILED');
    expect(outcome(h)).toMatchObject({
      status: 'FAILED',
      error: { Error: 'DynamoDB.ConditionalCheckFailedException' },
    });
    expect((await item(h.input.requestId))?.sealed_credentials).toBeUndefined();
  });

  it('retries Lambda service errors, but not domain errors', async () => {
    const h = harness({
      script: {
        verifyRequester: (_p, attempt) => {
          if (attempt < 3) throw named('Lambda.TooManyRequestsException', 'Rate exceeded');
          return { next: 'mint' };
        },
        mint: () => {
          throw new RoleNotPermittedError();
        },
      },
    });
    await h.workflow.start(h.input);

    expect(await h.settled).toBe('SUCCEEDED');
    expect(actions(h)).toEqual(['verifyRequester', 'verifyRequester', 'verifyRequester', 'mint', 'recordOutcome']);
  });

  // One run per Lambda task of the definition: its call fails once with the Lambda service error that AWS's
  // recommended Retry lists first, and the execution carries on to the outcome it would have had anyway.
  const glitch = () => named('Lambda.ClientExecutionTimeoutException', 'Client execution did not complete');
  const onceThen = (answer: (p: Payload) => unknown) => (p: Payload, attempt: number) => {
    if (attempt === 1) throw glitch();
    return answer(p);
  };
  interface RetryRun {
    script: Script;
    input?: Partial<ExecutionInput>;
    seed: string;
    /** What the approver does once the task token is stored. */
    decide?: (h: Harness) => Promise<void>;
    end: string;
  }
  const retryRuns: Record<string, RetryRun> = {
    'Verify Requester': {
      script: { verifyRequester: onceThen(() => ({ next: 'mint' })) },
      seed: 'APPROVED',
      end: 'MINTED',
    },
    'Verify Approver': {
      script: {
        verifyRequester: () => ({ next: 'verifyApprover' }),
        verifyApprover: onceThen(() => ({ next: 'mint', approvedBy: 'bob' })),
      },
      input: { secondaryAccountName: 'bob', secondaryTotpCode: approverCode },
      seed: 'APPROVED',
      end: 'MINTED',
    },
    'Await Approval': {
      script: { awaitApproval: onceThen(() => ({ stored: true })) },
      input: { approvalTimeoutSeconds: 1 },
      seed: 'AWAITING_APPROVAL',
      end: 'EXPIRED',
    },
    'Mint Credentials': {
      script: {
        verifyRequester: () => ({ next: 'mint' }),
        mint: onceThen((p) => ({ sealed, expiration, audit: auditMessage(event('request.minted', p.requestId)) })),
      },
      seed: 'APPROVED',
      end: 'MINTED',
    },
    'Notify Minted': {
      script: {
        verifyRequester: () => ({ next: 'mint' }),
        notifyMinted: onceThen(() => ({ notified: true })),
      },
      seed: 'APPROVED',
      end: 'MINTED',
    },
    'Record Rejection': {
      script: {
        verifyRequester: () => {
          throw new InvalidCredentialsError();
        },
        recordOutcome: onceThen((p) => ({ audit: auditMessage(event('request.rejected', p.requestId)) })),
      },
      seed: 'VERIFYING',
      end: 'REJECTED',
    },
    'Record Denial': {
      script: { recordOutcome: onceThen((p) => ({ audit: auditMessage(event('request.denied', p.requestId)) })) },
      seed: 'AWAITING_APPROVAL',
      decide: async (h) => h.workflow.deny(await h.tokenStored, { deniedBy: 'bob' }),
      end: 'DENIED',
    },
    Expire: {
      script: { recordOutcome: onceThen((p) => ({ audit: auditMessage(event('request.expired', p.requestId)) })) },
      input: { approvalTimeoutSeconds: 1 },
      seed: 'AWAITING_APPROVAL',
      end: 'EXPIRED',
    },
    'Record Failure': {
      script: {
        verifyRequester: () => ({ next: 'mint' }),
        mint: () => {
          throw new StsFailedError('AccessDenied');
        },
        recordOutcome: onceThen((p) => ({ audit: auditMessage(event('request.failed', p.requestId)) })),
      },
      seed: 'APPROVED',
      end: 'FAILED',
    },
  };

  it.each(Object.keys(retryRuns))('retries %s after a Lambda.ClientExecutionTimeoutException', async (state) => {
    const run = retryRuns[state];
    const h = harness({ script: run.script, input: run.input });
    await seed(h.input.requestId, run.seed);
    await h.workflow.start(h.input);
    await run.decide?.(h);
    await h.settled;

    const retried = h.events
      .filter((e) => e.type === 'StateRetried')
      .map((e) => (e as { state: { name: string } }).state.name);
    expect(retried).toEqual([state]);
    // A recorded outcome names its status; a mint shows as the released item.
    const ended = outcome(h)?.status ?? (await item(h.input.requestId))?.status?.S;
    expect(ended).toBe(run.end);
  });

  it('covers every Lambda task of the definition with a retry run above', () => {
    const definition = JSON.parse(loadDefinition(localSubstitutions({ requestsTableName: tableName })));
    const lambdaTasks = Object.entries(definition.States as Record<string, { Type: string; Resource?: string }>)
      .filter(([, s]) => s.Type === 'Task' && String(s.Resource).startsWith('arn:aws:states:::lambda:invoke'))
      .map(([name]) => name);
    expect(Object.keys(retryRuns).sort()).toEqual(lambdaTasks.sort());
  });

  it('still succeeds, credentials released, when the minted notification finally fails', async () => {
    const h = harness({
      script: {
        verifyRequester: () => ({ next: 'mint' }),
        notifyMinted: () => {
          throw named('WebhookError');
        },
      },
    });
    await seed(h.input.requestId, 'APPROVED');
    await h.workflow.start(h.input);
    expect(await h.settled).toBe('SUCCEEDED');
    expect((await item(h.input.requestId))?.status).toEqual({ S: 'MINTED' });
  });

  it('fails the execution when the outcome cannot be recorded', async () => {
    const h = harness({
      script: {
        verifyRequester: () => {
          throw new InvalidCredentialsError();
        },
        recordOutcome: () => {
          throw named('Lambda.ServiceException');
        },
      },
    });
    await h.workflow.start(h.input);

    expect(await h.settled).toBe('FAILED');
    // One attempt and three retries.
    expect(actions(h).filter((a) => a === 'recordOutcome')).toHaveLength(4);
    expect(h.events.at(-1)).toMatchObject({ type: 'ExecutionFailed', Error: 'OutcomeNotRecorded' });
    expect(h.audits).toEqual([]);
  });
});

describe('local workflow', () => {
  it('refuses a second execution with the same name, running or finished', async () => {
    const h = harness();
    await h.workflow.start(h.input);
    const token = await h.tokenStored;
    await expect(h.workflow.start(h.input)).rejects.toThrow(ConflictError);
    await h.workflow.deny(token, { deniedBy: 'bob' });
    await h.settled;
    await expect(h.workflow.start(h.input)).rejects.toThrow(ConflictError);
  });

  it('forgets the oldest finished names past its bound', async () => {
    const settled: string[] = [];
    let notify = () => {};
    const workflow = createLocalWorkflow({
      definition: loadDefinition(localSubstitutions({ requestsTableName: tableName })),
      dynamodb: client,
      retryIntervalMs: 1,
      finishedNamesKept: 1,
      async dispatch(payload) {
        if (payload.action === 'verifyRequester') throw new InvalidCredentialsError();
        return { audit: auditMessage(event('request.rejected', String(payload.requestId))) };
      },
      async audit() {},
      onSettled: (id) => {
        settled.push(id);
        notify();
      },
    });
    open.push(workflow);
    const input = (requestId: string): ExecutionInput => ({
      requestId,
      totpCode: requesterCode,
      approvalTimeoutSeconds: 600,
    });
    const run = async (requestId: string) => {
      const done = new Promise<void>((resolve) => {
        notify = resolve;
      });
      await workflow.start(input(requestId));
      await done;
    };

    await run('r_first');
    await run('r_second');
    await expect(workflow.start(input('r_second'))).rejects.toThrow(ConflictError);
    await run('r_first');
    expect(settled).toEqual(['r_first', 'r_second', 'r_first']);
  });

  it('refuses decisions on unknown tokens', async () => {
    const h = harness();
    await expect(h.workflow.approve('no-such-token', { approvedBy: 'bob' })).rejects.toThrow(AlreadyDecidedError);
    await expect(h.workflow.deny('no-such-token', { deniedBy: 'bob' })).rejects.toThrow(AlreadyDecidedError);
  });

  it('aborts waiting executions on close', async () => {
    const h = harness();
    await h.workflow.start(h.input);
    const token = await h.tokenStored;
    expect(h.workflow.running()).toBe(1);

    await h.workflow.close();

    expect(await h.settled).toBe('ABORTED');
    expect(h.workflow.running()).toBe(0);
    expect(actions(h)).toEqual(['verifyRequester', 'awaitApproval']);
    await expect(h.workflow.approve(token, { approvedBy: 'bob' })).rejects.toThrow(AlreadyDecidedError);
    await expect(h.workflow.start({ ...h.input, requestId: `${h.input.requestId}x` })).rejects.toThrow();
  });

  it('gives every execution its own task token', async () => {
    const a = harness();
    const b = harness();
    await a.workflow.start(a.input);
    await b.workflow.start(b.input);
    expect(await a.tokenStored).not.toBe(await b.tokenStored);
    expect(await a.tokenStored).toMatch(/^[\w-]{40,}$/);
  });
});
