/**
 * The mint function's one task: AssumeRole for an APPROVED request, sealed to the requester's key. Only
 * ciphertext leaves it (its output lands in the execution history); the state machine publishes the audit
 * event it returns, then releases the credentials.
 */
import { approversOf, mintedEvent } from '../audit-event.js';
import { type AuditMessage, auditMessage } from '../audit-message.js';
import { NotAnApproverError, RoleNotPermittedError } from '../errors.js';
import type { AuthStore, Clock, Minter, RequestStore } from '../ports.js';
import {
  MIN_SESSION_SECONDS,
  type RoleConfig,
  resolveRoleArn,
  roleSessionName,
  sessionTags,
  sourceIdentity,
} from '../roles.js';
import { seal } from '../sealing.js';
import { loadRequestIn } from './records.js';

/** The mint task's settings: the role rules, and the longest session it asks STS for. */
export interface MintConfig extends RoleConfig {
  maxSessionSeconds: number;
}

/** What `createMintTask` needs: no key and no audit sink (it decrypts nothing and publishes nothing). */
export interface MintTaskDeps {
  auth: AuthStore;
  requests: RequestStore;
  minter: Minter;
  clock: Clock;
  config: MintConfig;
}

export interface MintPayload {
  requestId: string;
}

/** The mint function's task. */
export interface MintTask {
  /** `audit` is what `Publish Audit` sends: subject, and the JSON event plus e-mail text (no secret). */
  mint(p: MintPayload): Promise<{ sealed: string; expiration: string; audit: AuditMessage }>;
}

/** Builds the mint task over the ports. */
export function createMintTask(deps: MintTaskDeps): MintTask {
  const { auth, requests, minter, clock, config } = deps;
  return {
    /** @throws StsFailedError (from the minter) when STS refuses or fails. */
    async mint(p) {
      const record = await loadRequestIn(requests, clock, p.requestId, 'APPROVED');
      // Defence in depth: only the API's quorum check moves a request to APPROVED, but never mint short of it.
      if ((record.approvalsRequired ?? 0) > approversOf(record).length) {
        throw new NotAnApproverError('The request has fewer approvals than its role needs.');
      }
      // The entry as it is now: a role removed since the request was made is no longer granted.
      const entry = await auth.get(record.issuer, record.accountName);
      if (!entry) throw new RoleNotPermittedError('The requesting account no longer exists.');
      const roleArn = resolveRoleArn(record.role, entry.roles, config);
      const durationSeconds = Math.max(MIN_SESSION_SECONDS, Math.min(record.durationSeconds, config.maxSessionSeconds));
      const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = await minter.assumeRole({
        roleArn,
        roleSessionName: roleSessionName(record.accountName, record.issuer),
        sourceIdentity: sourceIdentity(record.accountName),
        durationSeconds,
        tags: sessionTags({ approvers: approversOf(record), requestId: record.id }),
      });
      const sealed = await seal(
        record.publicKey,
        JSON.stringify({ AccessKeyId, SecretAccessKey, SessionToken, Expiration }),
        record.id,
      );
      const event = mintedEvent(record, { roleArn, expiration: Expiration }, clock.now());
      return { sealed: JSON.stringify(sealed), expiration: Expiration, audit: auditMessage(event) };
    },
  };
}
