/**
 * The small interfaces core needs from the outside world. `adapters/aws` implements them with the AWS SDK,
 * `adapters/local` for the embedded broker. Adapters translate SDK exceptions into core errors
 * (ConditionalCheckFailedException → ConflictError, TaskTimedOut/InvalidToken/TaskDoesNotExist →
 * AlreadyDecidedError, ExecutionAlreadyExists → ConflictError).
 */

import type { Notification } from './notification.js';
import type {
  Approval,
  AuditEvent,
  AuthEntry,
  Credentials,
  ExecutionInput,
  RequestRecord,
  RequestStatus,
} from './types.js';

/** What `AuthStore.update` may change; `approvalRules: []` removes the rules. */
export type EntryChanges = Partial<
  Pick<AuthEntry, 'roles' | 'secondaryAuthorization' | 'totpSecret' | 'approvalRules'>
> & {
  resetCounters?: boolean;
};

export interface AuthStore {
  /** GetItem (consistent read). */
  get(issuer: string, accountName: string): Promise<AuthEntry | undefined>;
  /** Query on the partition key; never Scan. */
  list(issuer: string): Promise<AuthEntry[]>;
  /** PutItem; without `overwrite`, ConflictError if the entry exists. */
  put(entry: AuthEntry, options?: { overwrite?: boolean }): Promise<void>;
  /** UpdateItem of the given fields (and updated_at); NotFoundError-free: ConflictError if the entry is missing. */
  update(issuer: string, accountName: string, changes: EntryChanges): Promise<void>;
  /** DeleteItem; ConflictError if the entry is missing. */
  remove(issuer: string, accountName: string): Promise<void>;
  /**
   * Accept TOTP time step `step` once: conditional write `last_step < :step` (or absent), which also
   * resets `failed_attempts` and `locked_until`. Returns false when the step (or a later one) was already used.
   */
  consumeStep(issuer: string, accountName: string, step: number, now: Date): Promise<boolean>;
  /**
   * Claims one code check **before** the code is looked at, so that parallel guesses cannot outrun the
   * lockout: atomic ADD 1 to `failed_attempts`, only while the account is not locked (`locked_until`
   * absent or not after `now`) and fewer than `max` checks have failed or are in flight — or the counter
   * was last written before `staleBefore` (a claimant that died before it could lock). A claim counts as a
   * failure until `consumeStep` (success) or `releaseAttempt` (not a failure) takes it back.
   * @returns the count including this claim, or undefined when refused (locked, at the limit, or no entry).
   */
  claimAttempt(
    issuer: string,
    accountName: string,
    max: number,
    now: Date,
    staleBefore: Date,
  ): Promise<number | undefined>;
  /** Gives back a claim that turned out not to be a failure (a replayed code, a cipher outage): ADD -1 while > 0. */
  releaseAttempt(issuer: string, accountName: string, now: Date): Promise<void>;
  /**
   * Locks the account if `failed_attempts` ≥ `max` and no lock is active: SET `locked_until`, reset
   * `failed_attempts` to 0. Conditional, so concurrent failures lock (and are audited) once.
   * @returns true if this call placed the lock.
   */
  lock(issuer: string, accountName: string, until: Date, now: Date, max: number): Promise<boolean>;
}

/** Fields a status transition may set; `null` removes the attribute. */
export type RequestChanges = {
  [K in keyof Omit<RequestRecord, 'id' | 'status'>]?: RequestRecord[K] | null;
};

export interface RequestStore {
  /** PutItem with `attribute_not_exists(id)`; ConflictError on a duplicate id. */
  create(record: RequestRecord): Promise<void>;
  /** GetItem (consistent read); undefined when missing or once `now` is past `expires_at` (later than its second). */
  get(id: string, now: Date): Promise<RequestRecord | undefined>;
  /**
   * Conditional UpdateItem: sets `status` to `to` (and `changes`) only if the current status is one of `from`.
   * ConflictError when the condition fails (or the item is missing). Returns the new record.
   */
  transition(
    id: string,
    from: readonly RequestStatus[],
    to: RequestStatus,
    changes?: RequestChanges,
  ): Promise<RequestRecord>;
  /**
   * Counts one approval toward the quorum, as one conditional UpdateItem: appends `approval` to `approvals`
   * (and its name to `approver_names`), sets `approved_by` and, when `to` is given, the status — only while
   * the status is one of `from`, this approver is not counted yet and exactly `expected` approvals are
   * counted (optimistic concurrency: of racing approvers one wins each count, the others re-read and try
   * again). The approval that completes a quorum passes `to: 'APPROVED'`, so counting it and deciding the
   * request are one write.
   * @returns the record after the write.
   * @throws ConflictError when the condition fails (or the item is missing): the caller re-reads to say why.
   */
  addApproval(
    id: string,
    from: readonly RequestStatus[],
    approval: Approval,
    expected: number,
    to?: RequestStatus,
  ): Promise<RequestRecord>;
}

/**
 * Paces a long-poll (`GET /v1/requests/{id}?wait=…`): tells the broker when a request it waits on may have
 * changed, so that it reads the request again. Embedded: an in-process notification on every write of the
 * request; AWS: a short backoff between consistent re-reads (the Lambda has no way to be told).
 */
export interface RequestWatcher {
  /** The longest wait (seconds) this watcher serves; 0: it does not wait, the broker answers at once. */
  readonly maxWaitSeconds: number;
  /** Starts watching request `id` until `deadline` (or until `signal` aborts). Close the watch when done. */
  watch(id: string, deadline: Date, signal?: AbortSignal): RequestWatch;
}

/** One waiter on one request. */
export interface RequestWatch {
  /**
   * Resolves `true` when the request may have changed since the last call (read it again), `false` once the
   * deadline has passed or the signal aborted (answer with what was last read).
   */
  next(): Promise<boolean>;
  /** Stops watching: frees the waiter and its timer. Idempotent. */
  close(): void;
}

/** Encrypts TOTP secrets at rest: KMS on AWS, AES-256-GCM with a local key file embedded. */
export interface SecretCipher {
  /** Returns base64 ciphertext bound to `context` (KMS encryption context / GCM AAD). */
  encrypt(plaintext: string, context: { issuer: string; account_name: string }): Promise<string>;
  /**
   * Throws if the ciphertext or context does not match; throws InternalError only when the cipher itself
   * could not answer (unreachable, throttled, not permitted), which the authenticator does not count as a
   * failed attempt.
   */
  decrypt(ciphertext: string, context: { issuer: string; account_name: string }): Promise<string>;
}

export interface Workflow {
  /** StartExecution named after the request id; ConflictError if it already exists. */
  start(input: ExecutionInput): Promise<void>;
  /**
   * SendTaskSuccess, once the quorum is complete (`approvedBy`: the approval that completed it; the record
   * holds them all); AlreadyDecidedError for TaskTimedOut / InvalidToken / TaskDoesNotExist.
   */
  approve(taskToken: string, output: { approvedBy: string }): Promise<void>;
  /** SendTaskFailure with error `Denied`; same error mapping as approve. */
  deny(taskToken: string, detail: { deniedBy: string; reason?: string }): Promise<void>;
}

export interface AssumeRoleInput {
  roleArn: string;
  roleSessionName: string;
  sourceIdentity: string;
  durationSeconds: number;
  tags: { Key: string; Value: string }[];
}

/**
 * STS AssumeRole (aws) or a local fake (embedded, credentials clearly marked local). Throws StsFailedError
 * when STS refuses or fails, so the workflow records `sts_failed`; the adapter maps the SDK's exceptions.
 */
export interface Minter {
  assumeRole(input: AssumeRoleInput): Promise<Credentials>;
}

/**
 * Tells the eligible approvers and the requester about a request (issue 10): best-effort, unlike the audit.
 * The embedded broker prints it and POSTs it to `--notify-url`; AWS will publish it on the approvals topic.
 * An adapter retries a few times and then throws; callers log that and go on.
 */
export interface Notifier {
  notify(notification: Notification): Promise<void>;
}

/** Publishes an audit event outside the state machine (lockouts). SNS on AWS, a log file embedded. */
export interface AuditSink {
  publish(event: AuditEvent): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
