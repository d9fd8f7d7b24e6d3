import { createAuthenticator } from './authenticator.js';
import { createDecisions } from './decisions.js';
import { AppError, InternalError, NotFoundError } from './errors.js';
import { isRequestId, newRequestId, verificationCode } from './ids.js';
import type { AuditSink, AuthStore, Clock, RequestStore, RequestWatcher, SecretCipher, Workflow } from './ports.js';
import { type CreateRequestInput, validateCreate } from './request-input.js';
import { type RequestView, toView } from './request-view.js';
import { honouredWait, type RequestWait, readWhenChanged } from './request-wait.js';
import type { RoleConfig } from './roles.js';
import { assertSealable } from './sealing.js';
import type { ExecutionMode, RequestErrorInfo, RequestRecord } from './types.js';

export type { CreateRequestInput } from './request-input.js';
export type { RequestView } from './request-view.js';
export type { RequestWait } from './request-wait.js';

/** Broker settings (from LambdaConfig or the embedded server's options); the role settings find a role's rule. */
export interface BrokerConfig extends RoleConfig {
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
  /** Paces `getRequest`'s waits; without one the broker never waits (`maxWaitSeconds` 0). */
  watcher?: RequestWatcher;
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
  /**
   * The request; with `wait`, once its status is not `wait.status` any more, or when the wait is over (see
   * `request-wait.ts`).
   * @throws NotFoundError
   */
  getRequest(id: string, wait?: RequestWait): Promise<RequestView>;
  /** The longest wait `getRequest` honours, in seconds (0: it answers at once). */
  readonly maxWaitSeconds: number;
  /**
   * Counts one approval; `APPROVED` (and the workflow resumed) once the quorum is complete.
   * @throws AlreadyApprovedError when this approver's approval is already counted.
   */
  approve(
    id: string,
    input: { accountName: string; totpCode: string },
  ): Promise<{ id: string; status: 'AWAITING_APPROVAL' | 'APPROVED'; approvalsRemaining: number }>;
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
  const { requests, workflow, clock, config } = deps;
  const authenticator = createAuthenticator(deps);

  async function load(id: string): Promise<RequestRecord> {
    if (!isRequestId(id)) throw new NotFoundError();
    const record = await requests.get(id, clock.now());
    if (!record) throw new NotFoundError();
    return record;
  }

  const decisions = createDecisions({ ...deps, authenticator, load });

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

    async getRequest(id, wait) {
      return toView(wait ? await readWhenChanged(id, wait, { load, watcher: deps.watcher, clock }) : await load(id));
    },

    maxWaitSeconds: honouredWait(Number.POSITIVE_INFINITY, deps.watcher),

    approve: decisions.approve,
    deny: decisions.deny,
  };
}
