/**
 * The API's use cases (docs/architecture.md "Core entry points"): create a credential request and start
 * its workflow, read it, and let an approver decide it. Approval is verified here, outside the workflow,
 * so the approver's code never enters the execution history.
 */
import { assertMayDecide } from './approvers.js';
import { createAuthenticator } from './authenticator.js';
import { validateName } from './entries.js';
import {
  AlreadyDecidedError,
  AppError,
  ConflictError,
  ExpiredError,
  InternalError,
  InvalidRequestError,
  NotFoundError,
} from './errors.js';
import { isRequestId, newRequestId, verificationCode } from './ids.js';
import type { AuditSink, AuthStore, Clock, RequestStore, SecretCipher, Workflow } from './ports.js';
import { type CreateRequestInput, requireCode, validateCreate } from './request-input.js';
import { type RequestView, toView } from './request-view.js';
import { assertSealable } from './sealing.js';
import { validateReason } from './text.js';
import type { ExecutionMode, RequestErrorInfo, RequestRecord } from './types.js';
import { isTerminal } from './types.js';

export type { CreateRequestInput } from './request-input.js';
export type { RequestView } from './request-view.js';

/** Broker settings (from LambdaConfig or the embedded server's options). */
export interface BrokerConfig {
  /** How long a request waits for its approver; also the `Await Approval` timeout. */
  approvalTimeoutSeconds: number;
  /** Longest session a request may ask for (≤ 3600). */
  maxSessionSeconds: number;
  /** How long a request stays readable after its decision deadline (DynamoDB TTL). */
  requestRetentionSeconds: number;
}

/** What `createBroker` needs. */
export interface BrokerDeps {
  auth: AuthStore;
  requests: RequestStore;
  cipher: SecretCipher;
  workflow: Workflow;
  audit: AuditSink;
  clock: Clock;
  config: BrokerConfig;
}

/** How a request may be decided (not part of the `POST /v1/requests` body: only the API's own routes set it). */
export interface CreateRequestOptions {
  /**
   * `single-shot-only`: the workflow refuses the request (InvalidCredentialsError, as STSFTW 1.0 did)
   * rather than wait for an approver when the approver's code did not come along.
   */
  mode?: ExecutionMode;
}

/** The broker's use cases. */
export interface Broker {
  createRequest(
    input: CreateRequestInput,
    options?: CreateRequestOptions,
  ): Promise<{ id: string; status: 'VERIFYING'; verificationCode: string; decisionDeadline: string }>;
  /** @throws NotFoundError */
  getRequest(id: string): Promise<RequestView>;
  approve(id: string, input: { accountName: string; totpCode: string }): Promise<{ id: string; status: 'APPROVED' }>;
  deny(
    id: string,
    input: { accountName: string; totpCode: string; reason?: string },
  ): Promise<{ id: string; status: 'DENIED' }>;
}

const START_FAILED: RequestErrorInfo = {
  code: 'internal',
  message: 'The approval workflow could not be started; no credentials were released.',
};

/** Builds the API's use cases over the ports. */
export function createBroker(deps: BrokerDeps): Broker {
  const { auth, requests, workflow, clock, config } = deps;
  const authenticator = createAuthenticator(deps);

  async function load(id: string): Promise<RequestRecord> {
    if (!isRequestId(id)) throw new NotFoundError();
    const record = await requests.get(id, clock.now());
    if (!record) throw new NotFoundError();
    return record;
  }

  function pastDeadline(record: RequestRecord): boolean {
    return clock.now().getTime() >= Date.parse(record.decisionDeadline);
  }

  /** Why a request can no longer be decided, as the error to answer with (undefined: it can). */
  function undecidable(record: RequestRecord): AppError | undefined {
    if (record.status === 'EXPIRED') return new ExpiredError();
    if (record.status === 'APPROVED' || isTerminal(record.status)) return new AlreadyDecidedError();
    if (pastDeadline(record)) return new ExpiredError();
    if (record.status === 'VERIFYING') {
      return new InvalidRequestError('The request is not yet waiting for approval, try again in a moment.');
    }
    return undefined;
  }

  /**
   * Shared by approve and deny: checks the request can be decided, authenticates the approver, applies the
   * approver rules, then takes the once-only conditional transition. Returns the record after it.
   */
  async function decide(
    id: string,
    input: { accountName: string; totpCode: string },
    to: 'APPROVED' | 'DENIED',
    changes: { approvedBy: string } | { deniedBy: string; denialReason?: string },
  ): Promise<RequestRecord> {
    const approver = validateName('account name', input.accountName);
    const totpCode = requireCode('totpCode', input.totpCode);
    const record = await load(id);
    const refusal = undecidable(record);
    if (refusal) throw refusal;
    await authenticator.authenticate(record.issuer, approver, totpCode);
    assertMayDecide(record, await auth.get(record.issuer, record.accountName), approver);
    try {
      return await requests.transition(id, ['AWAITING_APPROVAL'], to, changes);
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      // Someone else decided first, or the workflow expired it meanwhile.
      const now = await requests.get(id, clock.now());
      if (!now) throw new NotFoundError();
      throw undecidable(now) ?? new AlreadyDecidedError();
    }
  }

  /** Hands the decision to the waiting workflow; undoes the transition if that did not happen. */
  async function notify(record: RequestRecord, send: (taskToken: string) => Promise<void>): Promise<void> {
    try {
      if (!record.taskToken) throw new InternalError('The request has no workflow waiting for a decision.');
      await send(record.taskToken);
    } catch (e) {
      if (e instanceof AlreadyDecidedError) {
        // The wait is over on the workflow's side (timed out): the workflow records the outcome.
        throw pastDeadline(record) ? new ExpiredError() : e;
      }
      // The workflow did not hear about it: reopen the decision so it can be retried. If the send did
      // get through after all, `Release Credentials` (conditional on APPROVED) fails closed.
      await requests
        .transition(record.id, [record.status], 'AWAITING_APPROVAL', {
          approvedBy: null,
          deniedBy: null,
          denialReason: null,
        })
        .catch(() => undefined);
      throw e;
    }
  }

  return {
    async createRequest(input, options) {
      const valid = validateCreate(input, config.maxSessionSeconds);
      await assertSealable(input.publicKey);
      const now = clock.now();
      const deadline = new Date(now.getTime() + config.approvalTimeoutSeconds * 1000);
      const record: RequestRecord = {
        id: newRequestId(),
        status: 'VERIFYING',
        issuer: valid.issuer,
        accountName: valid.accountName,
        role: input.role,
        durationSeconds: valid.durationSeconds,
        publicKey: input.publicKey,
        createdAt: now.toISOString(),
        decisionDeadline: deadline.toISOString(),
        expiresAt: Math.floor(deadline.getTime() / 1000) + config.requestRetentionSeconds,
      };
      if (valid.secondaryAccountName !== undefined) record.secondaryAccountName = valid.secondaryAccountName;
      if (valid.reason !== undefined) record.reason = valid.reason;
      await requests.create(record);
      try {
        await workflow.start({
          requestId: record.id,
          totpCode: valid.totpCode,
          ...(valid.secondaryAccountName !== undefined && { secondaryAccountName: valid.secondaryAccountName }),
          ...(valid.secondaryTotpCode !== undefined && { secondaryTotpCode: valid.secondaryTotpCode }),
          approvalTimeoutSeconds: config.approvalTimeoutSeconds,
          ...(options?.mode !== undefined && { mode: options.mode }),
        });
      } catch (e) {
        // Do not leave a request VERIFYING forever.
        await requests.transition(record.id, ['VERIFYING'], 'FAILED', { error: START_FAILED }).catch(() => undefined);
        throw e instanceof AppError ? e : new InternalError(START_FAILED.message);
      }
      return {
        id: record.id,
        status: 'VERIFYING',
        verificationCode: verificationCode(record.id, record.publicKey),
        decisionDeadline: record.decisionDeadline,
      };
    },

    async getRequest(id) {
      return toView(await load(id));
    },

    async approve(id, input) {
      const approvedBy = input.accountName;
      const record = await decide(id, input, 'APPROVED', { approvedBy });
      await notify(record, (token) => workflow.approve(token, { approvedBy }));
      return { id, status: 'APPROVED' };
    },

    async deny(id, input) {
      const reason = validateReason(input.reason);
      const deniedBy = input.accountName;
      const changes = reason === undefined ? { deniedBy } : { deniedBy, denialReason: reason };
      const record = await decide(id, input, 'DENIED', changes);
      await notify(record, (token) => workflow.deny(token, reason === undefined ? { deniedBy } : { deniedBy, reason }));
      return { id, status: 'DENIED' };
    },
  };
}
