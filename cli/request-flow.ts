/**
 * The requester's side of a request: make a fresh key pair, create the request, save the private key,
 * then poll until the credentials can be opened or the request ends. Shared by `request`, `wait`,
 * `get` and `exec`.
 */
import type { Writable } from 'node:stream';
import { verificationCode } from '../lambdas/core/ids.js';
import type { BrokerClient } from './client.js';
import type { CachedCredentials as Credentials } from './credential-cache.js';
import { CliError, ExitCode } from './errors.js';
import { type PendingRequest, savePending } from './pending-requests.js';
import { waitForCredentials } from './request-poll.js';
import { withRetries } from './retry.js';
import { clockTime } from './time-format.js';

export {
  announcement,
  awaitVerification,
  endedError,
  POLL_MAX_MS,
  POLL_START_MS,
  waitForCredentials,
} from './request-poll.js';

type Env = Record<string, string | undefined>;

/** What the flow needs from the command running it. */
export interface FlowIo {
  env: Env;
  /** Shows a line to the person (stderr, or the terminal when stderr is captured). */
  info(text: string): void;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** Set only when stderr is a terminal: the spinner draws there. */
  spinnerStream?: Writable;
}

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
  const { generateKeyPair } = await import('../lambdas/core/sealing.js');
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
  const expected = verificationCode(created.id, keys.publicKey);
  if (created.verificationCode !== expected) {
    throw new CliError(
      `The broker's verification code for ${created.id} does not match this request's key: the connection may be tampered with. Do not let anyone approve it, and check --endpoint.`,
      ExitCode.failure,
    );
  }
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
  };
  savePending(io.env, pending);
  return pending;
}

/** What `get` and `exec` ask for. */
export interface ObtainInput extends Omit<StartInput, 'totpCode'> {
  /** Asked only when the cache cannot answer. */
  totpCode: () => Promise<string>;
  client: () => Promise<BrokerClient>;
  /** Read and refresh the encrypted credential cache (the command's default). */
  useCache: boolean;
  /** `--no-cache`: neither read nor write it. */
  noCache?: boolean;
  /** A `--totp-code` was given (it goes unused when the cache answers: say so). */
  totpCodeGiven?: boolean;
}

/**
 * Credentials for `get` / `exec`: from the cache when allowed and fresh, else a new request (single shot
 * when a secondary code is given, otherwise it waits for approval and says so). A `--reason` always means a
 * new request (the approver and the audit must see it), whose credentials then replace the cached ones.
 */
export async function obtainCredentials(io: FlowIo, input: ObtainInput): Promise<Credentials> {
  const cacheKey = { endpoint: input.endpoint, issuer: input.issuer, accountName: input.accountName, role: input.role };
  const cache = input.useCache && !input.noCache ? await import('./credential-cache.js') : undefined;
  const cached = input.reason ? undefined : cache?.readCachedCredentials(io.env, cacheKey, io.now());
  if (cached) {
    const unused = [
      input.totpCodeGiven && '--totp-code',
      input.secondaryTotpCode && '--secondary-totp-code',
      input.durationSeconds !== undefined && '--duration',
    ].filter((flag): flag is string => typeof flag === 'string');
    if (unused.length > 0) {
      io.info(
        `Using cached credentials for ${input.role} (valid until ${clockTime(cached.Expiration)}): ${unused.join(' and ')} ${unused.length > 1 ? 'were' : 'was'} not needed. Pass --no-cache (or a --reason) for new ones.`,
      );
    }
    return cached;
  }
  if (input.secondaryTotpCode && !input.secondaryAccountName) {
    throw new CliError('--secondary-totp-code needs --secondary-authorizer NAME: whose code is it?');
  }
  const totpCode = await input.totpCode();
  const client = await input.client();
  const pending = await startRequest(client, io, { ...input, totpCode });
  const credentials = await waitForCredentials(client, io, pending, { announce: true });
  try {
    cache?.writeCachedCredentials(io.env, cacheKey, credentials);
  } catch (e) {
    // The cache only saves the next prompt: credentials already minted must still be delivered.
    io.info(`Could not cache the credentials (${(e as Error).message}): the next call will ask for a code again.`);
  }
  return credentials;
}
