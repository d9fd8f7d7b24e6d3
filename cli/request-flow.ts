/**
 * The requester's side of a request: make a fresh key pair, create the request, save the private key,
 * then poll until the credentials can be opened or the request ends. Shared by `request`, `wait`,
 * `get` and `exec`.
 */
import type { Writable } from 'node:stream';
import { verificationCode } from '../lambdas/core/ids.js';
import type { BrokerClient, RequestView } from './client.js';
import type { CachedCredentials as Credentials } from './credential-cache.js';
import {
  ApiError,
  CliError,
  describeError,
  ExitCode,
  InterruptedError,
  NetworkError,
  problemHints,
  requesterHint,
} from './errors.js';
import { deletePending, type PendingRequest, savePending } from './pending-requests.js';
import { startSpinner } from './spinner.js';
import { clockTime, duration } from './time-format.js';

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

/** Polling starts fast (credentials usually follow approval within a second) and slows to this cap. */
export const POLL_START_MS = 250;
export const POLL_MAX_MS = 1000;
const POLL_FACTOR = 1.5;
/** How long past its decision deadline a request may stay unsettled before we stop waiting. */
const SETTLE_GRACE_MS = 5 * 60_000;
/** Consecutive transient failures (timeouts, 5xx) tolerated while polling. */
const MAX_TRANSIENT_FAILURES = 5;

/** Creates the request and saves its private key (0600) before anything waits on it. */
export async function startRequest(client: BrokerClient, io: FlowIo, input: StartInput): Promise<PendingRequest> {
  const { generateKeyPair } = await import('../lambdas/core/sealing.js');
  const keys = await generateKeyPair(); // fresh per request: credentials open only here
  const created = await client.createRequest({
    issuer: input.issuer,
    accountName: input.accountName,
    role: input.role,
    totpCode: input.totpCode,
    publicKey: keys.publicKey,
    ...(input.secondaryAccountName ? { secondaryAccountName: input.secondaryAccountName } : {}),
    ...(input.secondaryTotpCode ? { secondaryTotpCode: input.secondaryTotpCode } : {}),
    ...(input.durationSeconds !== undefined ? { durationSeconds: input.durationSeconds } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
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

/** The lines telling the requester what the approver must do. */
export function announcement(pending: PendingRequest, now: number): string {
  const left = Date.parse(pending.decisionDeadline) - now;
  return [
    `Request ${pending.id} for role ${pending.role} needs approval.`,
    `  verification code   ${pending.verificationCode}  (the approver must see the same code)`,
    `  approver runs       ${pending.approveCommand}`,
    `  decision deadline   ${clockTime(pending.decisionDeadline)} (in ${duration(left)})`,
    '',
  ].join('\n');
}

/** The sentence and exit code for a request that ended without credentials. */
export function endedError(view: RequestView): CliError {
  const { id } = view;
  const code = view.error?.code;
  const message = view.error?.message?.replace(/\.?$/, '.') ?? '';
  switch (view.status) {
    case 'DENIED':
      return new CliError(
        `Request ${id} was denied${view.deniedBy ? ` by ${view.deniedBy}` : ''}${view.denialReason ? ` (${JSON.stringify(view.denialReason)})` : ''}. Talk to your approver; make a new request with \`sts request\` if they agree.`,
        ExitCode.denied,
      );
    case 'EXPIRED':
      return new CliError(
        `Request ${id} expired: nobody decided before ${clockTime(view.decisionDeadline)}. Make a new request with \`sts request\` and send the approver its \`sts approve\` command.`,
        ExitCode.expired,
      );
    case 'REJECTED':
      return new CliError(
        `Request ${id} was rejected: ${message || 'a rule refused it.'} ${(code && (requesterHint(code, view.secondaryAccountName) ?? problemHints[code])) || ''} (${code ?? 'unknown'})`.replace(
          /\s+\(/,
          ' (',
        ),
        ExitCode.rejected,
      );
    default:
      if (code === 'broker_restarted') {
        return new CliError(
          `Request ${id} failed: the broker restarted while it was open (broker_restarted). Make a new request with \`sts request\`.`,
          ExitCode.failed,
        );
      }
      return new CliError(
        `Request ${id} failed on the broker: ${message || 'no detail.'} Make a new request; if it keeps failing, check the broker's logs (${code ?? 'unknown'}).`,
        ExitCode.failed,
      );
  }
}

function isTransient(e: unknown): boolean {
  if (e instanceof NetworkError) return e.reason !== 'not_broker';
  return e instanceof ApiError && e.status >= 500;
}

async function openCredentials(pending: PendingRequest, view: RequestView): Promise<Credentials> {
  if (!view.credentials) {
    throw new CliError(
      `Request ${pending.id} was minted but its credentials are no longer available: make a new request.`,
      ExitCode.failure,
    );
  }
  const { open } = await import('../lambdas/core/sealing.js');
  let credentials: Credentials;
  try {
    credentials = JSON.parse(await open(pending.privateKey, view.credentials.sealed, pending.id));
  } catch {
    throw new CliError(
      `The credentials of ${pending.id} do not open with the key saved on this machine: make a new request from here.`,
      ExitCode.failure,
    );
  }
  for (const field of ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration'] as const) {
    if (typeof credentials[field] !== 'string') {
      throw new CliError(
        `The credentials of ${pending.id} are incomplete (no ${field}): make a new request.`,
        ExitCode.failure,
      );
    }
  }
  return credentials;
}

function progressText(view: RequestView | undefined, pending: PendingRequest, started: number, now: number): string {
  const elapsed = duration(now - started);
  const deadline = `deadline ${clockTime(pending.decisionDeadline)}`;
  switch (view?.status) {
    case 'AWAITING_APPROVAL':
      return `Waiting for approval of ${pending.id} (code ${pending.verificationCode}) — ${elapsed} elapsed, ${deadline}`;
    case 'APPROVED':
      return `Approved${view.approvedBy ? ` by ${view.approvedBy}` : ''}: minting credentials — ${elapsed}`;
    default:
      return `Checking your code for ${pending.id} — ${elapsed}`;
  }
}

/**
 * Polls request `pending.id` until its credentials open (then deletes the key file) or it ends
 * (deletes the key file, throws the ended sentence). On Ctrl-C the key file stays and the person is told
 * how to resume. `announce`: print the approval instructions when the request starts waiting for approval.
 */
export async function waitForCredentials(
  client: BrokerClient,
  io: FlowIo,
  pending: PendingRequest,
  options: { announce: boolean },
): Promise<Credentials> {
  const started = io.now();
  let view: RequestView | undefined;
  let announced = !options.announce;
  let interval = POLL_START_MS;
  let failures = 0;
  const spin = () =>
    io.spinnerStream ? startSpinner(io.spinnerStream, () => progressText(view, pending, started, io.now())) : undefined;
  let spinner = spin();
  try {
    for (;;) {
      let next: RequestView;
      try {
        next = await client.getRequest(pending.id);
        failures = 0;
      } catch (e) {
        if (!isTransient(e) || ++failures > MAX_TRANSIENT_FAILURES) throw e;
        await io.sleep(POLL_MAX_MS);
        continue;
      }
      if (next.status !== view?.status) interval = POLL_START_MS; // a change: the next one usually follows fast
      view = next;
      if (view.status === 'AWAITING_APPROVAL' && !announced) {
        announced = true;
        spinner?.stop();
        io.info(announcement(pending, io.now()));
        spinner = spin();
      }
      if (view.status === 'MINTED') {
        const credentials = await openCredentials(pending, view);
        deletePending(io.env, pending.id, view.status);
        return credentials;
      }
      if (['DENIED', 'EXPIRED', 'REJECTED', 'FAILED'].includes(view.status)) {
        deletePending(io.env, pending.id, view.status);
        throw endedError(view);
      }
      // Measured on our own clock from the broker's own times: a skewed local clock must not end the wait.
      const patience = Date.parse(view.decisionDeadline) - Date.parse(view.createdAt) + SETTLE_GRACE_MS;
      if (io.now() - started > patience) {
        throw new CliError(
          `Request ${pending.id} is still ${view.status} long after its deadline: check it later with \`sts status ${pending.id}\`, or the broker's logs.`,
          ExitCode.tempFail,
        );
      }
      await io.sleep(interval);
      interval = Math.min(POLL_MAX_MS, Math.round(interval * POLL_FACTOR));
    }
  } catch (e) {
    if (e instanceof InterruptedError || (e instanceof Error && e.name === 'AbortError')) {
      spinner?.stop();
      throw new CliError(
        `Stopped waiting; request ${pending.id} is still open. Resume with \`sts wait ${pending.id}\` before ${clockTime(pending.decisionDeadline)}.`,
        ExitCode.interrupted,
      );
    }
    if (isTransient(e)) {
      // The broker went away mid-wait: the request (and our key) may well survive it.
      const { message, exitCode } = describeError(e, io.env);
      throw new CliError(
        `${message.replace(/\.?$/, '.')} Request ${pending.id} may still be open: once the broker is back, resume with \`sts wait ${pending.id}\` before ${clockTime(pending.decisionDeadline)}.`,
        exitCode,
      );
    }
    throw e;
  } finally {
    spinner?.stop();
  }
}

/** What `get` and `exec` ask for. */
export interface ObtainInput extends Omit<StartInput, 'totpCode'> {
  /** Asked only when the cache cannot answer. */
  totpCode: () => Promise<string>;
  client: () => Promise<BrokerClient>;
  /** Read and refresh the encrypted credential cache. */
  useCache: boolean;
}

/**
 * Credentials for `get` / `exec`: from the cache when allowed and fresh, else a new request (single shot
 * when a secondary code is given, otherwise it waits for approval and says so).
 */
export async function obtainCredentials(io: FlowIo, input: ObtainInput): Promise<Credentials> {
  const cacheKey = { endpoint: input.endpoint, issuer: input.issuer, accountName: input.accountName, role: input.role };
  const cache = input.useCache ? await import('./credential-cache.js') : undefined;
  const cached = cache?.readCachedCredentials(io.env, cacheKey, io.now());
  if (cached) return cached;
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
