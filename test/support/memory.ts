/**
 * In-memory implementations of the core ports (lambdas/core/ports.ts), faithful to their documented
 * semantics (conditional writes, ConflictError, TTL filtering), for unit tests across the project.
 * Every store keeps copies so a test cannot mutate stored state by accident.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { ConflictError } from '../../lambdas/core/errors.js';
import { newRequestId } from '../../lambdas/core/ids.js';
import type {
  AssumeRoleInput,
  AuditSink,
  AuthStore,
  Clock,
  EntryChanges,
  Minter,
  RequestChanges,
  RequestStore,
  SecretCipher,
  Workflow,
} from '../../lambdas/core/ports.js';
import type {
  Approval,
  ApprovalRule,
  AuditEvent,
  AuthEntry,
  Credentials,
  ExecutionInput,
  RequestRecord,
  RequestStatus,
} from '../../lambdas/core/types.js';

const clone = <T>(value: T): T => structuredClone(value);

/** A clock that stands still until told to move. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string = '2030-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  /** Moves forward by `seconds` (may be fractional or negative). */
  advance(seconds: number): void {
    this.current += seconds * 1000;
  }
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}

/** Auth table: `get/list/put/update/remove` plus the conditional TOTP bookkeeping of AuthStore. */
export class MemoryAuthStore implements AuthStore {
  readonly entries = new Map<string, AuthEntry>();
  /** `clock` stamps `updatedAt` on `update` (the other writes receive `now`). */
  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  private key(issuer: string, accountName: string): string {
    return JSON.stringify([issuer, accountName]);
  }

  /** Direct read of the stored item (no copy semantics needed by callers that only look). */
  peek(issuer: string, accountName: string): AuthEntry | undefined {
    return this.entries.get(this.key(issuer, accountName));
  }

  async get(issuer: string, accountName: string): Promise<AuthEntry | undefined> {
    const entry = this.peek(issuer, accountName);
    return entry && clone(entry);
  }

  async list(issuer: string): Promise<AuthEntry[]> {
    return [...this.entries.values()]
      .filter((e) => e.issuer === issuer)
      .sort((a, b) => (a.accountName < b.accountName ? -1 : a.accountName > b.accountName ? 1 : 0))
      .map(clone);
  }

  async put(entry: AuthEntry, options?: { overwrite?: boolean }): Promise<void> {
    const key = this.key(entry.issuer, entry.accountName);
    if (!options?.overwrite && this.entries.has(key)) throw new ConflictError('The entry already exists.');
    this.entries.set(key, clone(entry));
  }

  async update(issuer: string, accountName: string, changes: EntryChanges): Promise<void> {
    const entry = this.peek(issuer, accountName);
    if (!entry) throw new ConflictError('The entry does not exist.');
    const { resetCounters, approvalRules, ...fields } = changes;
    if (approvalRules?.length) entry.approvalRules = clone(approvalRules);
    else if (approvalRules !== undefined) delete entry.approvalRules;
    for (const [k, v] of Object.entries(fields)) {
      if (v !== undefined) (entry as any)[k] = clone(v);
    }
    if (resetCounters) {
      entry.failedAttempts = 0;
      delete entry.lockedUntil;
    }
    entry.updatedAt = this.clock.now().toISOString();
  }

  async remove(issuer: string, accountName: string): Promise<void> {
    if (!this.entries.delete(this.key(issuer, accountName))) throw new ConflictError('The entry does not exist.');
  }

  async consumeStep(issuer: string, accountName: string, step: number, now: Date): Promise<boolean> {
    const entry = this.peek(issuer, accountName);
    if (!entry) return false;
    if (entry.lastStep !== undefined && !(entry.lastStep < step)) return false;
    entry.lastStep = step;
    entry.failedAttempts = 0;
    delete entry.lockedUntil;
    entry.updatedAt = now.toISOString();
    return true;
  }

  async claimAttempt(
    issuer: string,
    accountName: string,
    max: number,
    now: Date,
    staleBefore: Date,
  ): Promise<number | undefined> {
    const entry = this.peek(issuer, accountName);
    if (!entry) return undefined;
    if (entry.lockedUntil && entry.lockedUntil > now.toISOString()) return undefined;
    const stale = entry.updatedAt === '' || entry.updatedAt < staleBefore.toISOString();
    if ((entry.failedAttempts ?? 0) >= max && !stale) return undefined;
    entry.failedAttempts = (entry.failedAttempts ?? 0) + 1;
    entry.updatedAt = now.toISOString();
    return entry.failedAttempts;
  }

  async releaseAttempt(issuer: string, accountName: string, now: Date): Promise<void> {
    const entry = this.peek(issuer, accountName);
    if (!entry || !((entry.failedAttempts ?? 0) > 0)) return;
    entry.failedAttempts = (entry.failedAttempts ?? 0) - 1;
    entry.updatedAt = now.toISOString();
  }

  async lock(issuer: string, accountName: string, until: Date, now: Date, max: number): Promise<boolean> {
    const entry = this.peek(issuer, accountName);
    if (!entry || (entry.failedAttempts ?? 0) < max) return false;
    if (entry.lockedUntil && entry.lockedUntil > now.toISOString()) return false;
    entry.lockedUntil = until.toISOString();
    entry.failedAttempts = 0;
    entry.updatedAt = now.toISOString();
    return true;
  }
}

/** Requests table: conditional create and status transitions; `get` hides items past `expiresAt`. */
export class MemoryRequestStore implements RequestStore {
  readonly records = new Map<string, RequestRecord>();

  /** The stored item regardless of TTL. */
  peek(id: string): RequestRecord | undefined {
    return this.records.get(id);
  }

  async create(record: RequestRecord): Promise<void> {
    if (this.records.has(record.id)) throw new ConflictError('A request with this id exists.');
    this.records.set(record.id, clone(record));
  }

  async get(id: string, now: Date): Promise<RequestRecord | undefined> {
    const record = this.records.get(id);
    // Past expires_at, exactly as the DynamoDB adapter reads it (port-contracts.ts).
    if (!record || record.expiresAt * 1000 < now.getTime()) return undefined;
    return clone(record);
  }

  async transition(
    id: string,
    from: readonly RequestStatus[],
    to: RequestStatus,
    changes: RequestChanges = {},
  ): Promise<RequestRecord> {
    const record = this.records.get(id);
    if (!record || !from.includes(record.status)) throw new ConflictError('The request status moved on.');
    record.status = to;
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete (record as any)[k];
      else if (v !== undefined) (record as any)[k] = clone(v);
    }
    return clone(record);
  }

  async addApproval(
    id: string,
    from: readonly RequestStatus[],
    approval: Approval,
    expected: number,
    to?: RequestStatus,
  ): Promise<RequestRecord> {
    const record = this.records.get(id);
    const approvals = record?.approvals ?? [];
    if (
      !record ||
      !from.includes(record.status) ||
      approvals.some((counted) => counted.accountName === approval.accountName) ||
      approvals.length !== expected
    ) {
      throw new ConflictError('The approval cannot be counted.');
    }
    record.approvals = [...approvals, { ...approval }];
    record.approvedBy = approval.accountName;
    if (to) record.status = to;
    return clone(record);
  }
}

/**
 * A real AES-256-GCM cipher with a random in-memory key and the context as AAD, so a wrong context
 * fails like KMS would. `decryptCalls` counts decryptions (for "refused without checking the code"), and
 * `decrypted` names the context of each.
 */
export class MemoryCipher implements SecretCipher {
  private readonly key = randomBytes(32);
  decryptCalls = 0;
  readonly decrypted: { issuer: string; account_name: string }[] = [];

  async encrypt(plaintext: string, context: { issuer: string; account_name: string }): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(JSON.stringify([context.issuer, context.account_name])));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  async decrypt(ciphertext: string, context: { issuer: string; account_name: string }): Promise<string> {
    this.decryptCalls++;
    this.decrypted.push({ issuer: context.issuer, account_name: context.account_name });
    const raw = Buffer.from(ciphertext, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(JSON.stringify([context.issuer, context.account_name])));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/** Records every call; `failNext` makes the next call of a method reject with the given error. */
export class FakeWorkflow implements Workflow {
  readonly starts: ExecutionInput[] = [];
  readonly approvals: { taskToken: string; output: { approvedBy: string } }[] = [];
  readonly denials: { taskToken: string; detail: { deniedBy: string; reason?: string } }[] = [];
  private readonly failures = new Map<'start' | 'approve' | 'deny', Error>();

  failNext(method: 'start' | 'approve' | 'deny', error: Error): void {
    this.failures.set(method, error);
  }

  private maybeFail(method: 'start' | 'approve' | 'deny'): void {
    const error = this.failures.get(method);
    if (error) {
      this.failures.delete(method);
      throw error;
    }
  }

  async start(input: ExecutionInput): Promise<void> {
    this.maybeFail('start');
    if (this.starts.some((s) => s.requestId === input.requestId)) {
      throw new ConflictError('An execution with this name exists.');
    }
    this.starts.push(clone(input));
  }

  async approve(taskToken: string, output: { approvedBy: string }): Promise<void> {
    this.maybeFail('approve');
    this.approvals.push({ taskToken, output: clone(output) });
  }

  async deny(taskToken: string, detail: { deniedBy: string; reason?: string }): Promise<void> {
    this.maybeFail('deny');
    this.denials.push({ taskToken, detail: clone(detail) });
  }
}

/** Mints recognisable fake credentials; records inputs; `fail` makes every call reject with it. */
export class FakeMinter implements Minter {
  readonly calls: AssumeRoleInput[] = [];
  fail?: Error;
  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  async assumeRole(input: AssumeRoleInput): Promise<Credentials> {
    if (this.fail) throw this.fail;
    this.calls.push(clone(input));
    const n = this.calls.length;
    return {
      AccessKeyId: `ASIAFAKE${String(n).padStart(12, '0')}`,
      SecretAccessKey: `fake-secret-${n}`,
      SessionToken: `fake-token-${n}`,
      Expiration: new Date(this.clock.now().getTime() + input.durationSeconds * 1000).toISOString(),
    };
  }
}

/** Collects published audit events; `fail` makes publishing reject. */
export class MemoryAudit implements AuditSink {
  readonly events: AuditEvent[] = [];
  fail?: Error;
  async publish(event: AuditEvent): Promise<void> {
    if (this.fail) throw this.fail;
    this.events.push(clone(event));
  }
}

/** Test helper: enrolls an account with a fresh TOTP secret (encrypted by `cipher`); returns the otpauth URL. */
export async function enroll(
  auth: MemoryAuthStore,
  cipher: SecretCipher,
  entry: {
    issuer: string;
    accountName: string;
    roles?: string[];
    secondaryAuthorization?: string[];
    approvalRules?: ApprovalRule[];
  },
  options: { secret?: string | null; now?: Date } = {},
): Promise<string> {
  const url =
    options.secret ??
    new OTPAuth.TOTP({
      issuer: entry.issuer,
      label: entry.accountName,
      secret: new OTPAuth.Secret({ size: 20 }),
    }).toString();
  const at = (options.now ?? new Date('2030-01-01T00:00:00.000Z')).toISOString();
  await auth.put(
    {
      issuer: entry.issuer,
      accountName: entry.accountName,
      roles: entry.roles ?? [],
      secondaryAuthorization: entry.secondaryAuthorization ?? [],
      ...(entry.approvalRules && { approvalRules: entry.approvalRules }),
      totpSecret:
        options.secret === null
          ? undefined
          : await cipher.encrypt(url, { issuer: entry.issuer, account_name: entry.accountName }),
      createdAt: at,
      updatedAt: at,
    },
    { overwrite: true },
  );
  return url;
}

/** Test helper: the TOTP code of `otpauthUrl` at `at`, `stepOffset` steps (30 s) away. */
export function totpCode(otpauthUrl: string, at: Date, stepOffset = 0): string {
  return (OTPAuth.URI.parse(otpauthUrl) as OTPAuth.TOTP).generate({ timestamp: at.getTime() + stepOffset * 30_000 });
}

/** All ports at once, sharing one ManualClock. */
export function memoryPorts(start?: Date | string) {
  const clock = new ManualClock(start);
  return {
    clock,
    auth: new MemoryAuthStore(clock),
    requests: new MemoryRequestStore(),
    cipher: new MemoryCipher(),
    workflow: new FakeWorkflow(),
    minter: new FakeMinter(clock),
    audit: new MemoryAudit(),
  };
}

/** A request record of alice (acme) for Admin in `status`, readable until 2100; `changes` override fields. */
export function sampleRequest(status: RequestStatus, changes: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: newRequestId(),
    status,
    issuer: 'acme',
    accountName: 'alice',
    role: 'Admin',
    durationSeconds: 900,
    publicKey: 'A'.repeat(43),
    createdAt: '2030-01-01T00:00:00.000Z',
    decisionDeadline: '2030-01-01T00:15:00.000Z',
    expiresAt: 4_102_444_800, // 2100-01-01
    ...changes,
  };
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}
