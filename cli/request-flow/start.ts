/**
 * Starting a request: a fresh key pair, `POST /v1/requests`, a check that the broker's verification code is
 * the one our key gives, and the private key saved (0600) before anything waits on it.
 */
import { verificationCode } from '../../lambdas/core/ids.js';
import type { BrokerClient } from '../client.js';
import { approvePageUrl, type PendingRequest, savePending } from '../pending-requests.js';
import { withRetries } from '../retry.js';
import { tamperedCode } from '../sentences/request.js';
import type { FlowIo } from './io.js';

/** What a new request asks for. */
export interface StartInput {
  endpoint: string;
  issuer: string;
  accountName: string;
  role: string;
  totpCode: string;
  secondaryAccountName?: string;
  secondaryTotpCode?: string;
  durationSeconds?: number;
  reason?: string;
  /** The command an approver types for request `id`. */
  approveCommand: (id: string) => string;
}

/** Creates the request and saves its private key (0600) before anything waits on it. */
export async function startRequest(client: BrokerClient, io: FlowIo, input: StartInput): Promise<PendingRequest> {
  const { generateKeyPair } = await import('../../lambdas/core/sealing.js');
  const keys = await generateKeyPair(); // fresh per request: credentials open only here
  const body = {
    issuer: input.issuer,
    accountName: input.accountName,
    role: input.role,
    totpCode: input.totpCode,
    publicKey: keys.publicKey,
    ...(input.secondaryAccountName ? { secondaryAccountName: input.secondaryAccountName } : {}),
    ...(input.secondaryTotpCode ? { secondaryTotpCode: input.secondaryTotpCode } : {}),
    ...(input.durationSeconds !== undefined ? { durationSeconds: input.durationSeconds } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
  };
  // Only throttling is retried: a 429 was never processed, whereas after a 5xx the request may exist and
  // a second one would replay the (now used) code.
  const created = await withRetries(() => client.createRequest(body), {
    sleep: io.sleep,
    retryOn: (e) => e.reason === 'throttled',
  });
  // The code is derived from the id and OUR public key: a broker (or anything in between) that swapped
  // the key would show the approver a different code than the one we compute.
  if (created.verificationCode !== verificationCode(created.id, keys.publicKey)) throw tamperedCode(created.id);
  const pending: PendingRequest = {
    id: created.id,
    privateKey: keys.privateKey,
    endpoint: input.endpoint,
    issuer: input.issuer,
    accountName: input.accountName,
    role: input.role,
    verificationCode: created.verificationCode,
    decisionDeadline: created.decisionDeadline,
    approveCommand: input.approveCommand(created.id),
    approveUrl: approvePageUrl(input.endpoint, created.id),
  };
  savePending(io.env, pending);
  return pending;
}
