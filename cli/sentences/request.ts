/**
 * What the requester's side says while it makes, waits for and opens a request (`cli/request-flow/`), beyond
 * the per-status sentences of `statuses.ts`: a tampered answer, credentials that do not open, a wait that
 * stops (Ctrl-C, the broker going away, a request that never settles), and the credential cache's notes.
 */
import { CliError, ExitCode } from '../errors.js';
import type { PendingRequest } from '../pending-requests.js';
import { clockTime } from '../time-format.js';

/** The broker's verification code is not the one our own key gives. */
export function tamperedCode(id: string): CliError {
  return new CliError(
    `The broker's verification code for ${id} does not match this request's key: the connection may be tampered with. Do not let anyone approve it, and check --endpoint.`,
    ExitCode.failure,
  );
}

/** MINTED, but the broker no longer holds the sealed credentials. */
export function credentialsGone(id: string): CliError {
  return new CliError(
    `Request ${id} was minted but its credentials are no longer available: make a new request.`,
    ExitCode.failure,
  );
}

/** The sealed credentials do not open with the key saved here. */
export function credentialsDoNotOpen(id: string): CliError {
  return new CliError(
    `The credentials of ${id} do not open with the key saved on this machine: make a new request from here.`,
    ExitCode.failure,
  );
}

/** The opened credentials lack a field. */
export function credentialsIncomplete(id: string, field: string): CliError {
  return new CliError(`The credentials of ${id} are incomplete (no ${field}): make a new request.`, ExitCode.failure);
}

/** Ctrl-C while waiting: the request stays open, and how to resume. */
export function stoppedWaiting(pending: PendingRequest): CliError {
  return new CliError(
    `Stopped waiting; request ${pending.id} is still open. Resume with \`sts wait ${pending.id}\` before ${clockTime(pending.decisionDeadline)}.`,
    ExitCode.interrupted,
  );
}

/** The broker went away (or stayed busy) mid-wait: `said` is that failure's own sentence. */
export function brokerGoneMidWait(said: { message: string; exitCode: number }, pending: PendingRequest): CliError {
  return new CliError(
    `${said.message.replace(/\.?$/, '.')} Request ${pending.id} may still be open: once the broker is back, resume with \`sts wait ${pending.id}\` before ${clockTime(pending.decisionDeadline)}.`,
    said.exitCode,
  );
}

/** The request did not settle long after its deadline. */
export function stillUnsettled(id: string, status: string): CliError {
  return new CliError(
    `Request ${id} is still ${status} long after its deadline: check it later with \`sts status ${id}\`, or the broker's logs.`,
    ExitCode.tempFail,
  );
}

/** `--no-wait`: the requester's code is still being checked. */
export function stillVerifying(id: string): CliError {
  return new CliError(
    `Request ${id} is still checking your code: see \`sts wait ${id}\` (or \`sts status ${id}\`) in a moment.`,
    ExitCode.tempFail,
  );
}

/** A second code without the approver's name (core's rule, `codeWithoutApprover` in core/approvers.ts). */
export function secondCodeNeedsName(): CliError {
  return new CliError('--secondary-totp-code needs --secondary-authorizer NAME: whose code is it?');
}

/** The cache answered although flags for a new request were given. */
export function cachedNotice(role: string, expiration: string, unused: string[]): string {
  return `Using cached credentials for ${role} (valid until ${clockTime(expiration)}): ${unused.join(' and ')} ${unused.length > 1 ? 'were' : 'was'} not needed. Pass --no-cache (or a --reason) for new ones.`;
}

/** The credentials were delivered but could not be cached. */
export function cacheWriteFailed(reason: string): string {
  return `Could not cache the credentials (${reason}): the next call will ask for a code again.`;
}
