/**
 * Authenticates an account by its TOTP code (DESIGN.md §6): one use per time step, lockout after
 * repeated failures, and one indistinguishable error for every kind of bad credential.
 */
import { ConflictError, InternalError, InvalidCredentialsError, LockedOutError } from './errors.js';
import type { AuditSink, AuthStore, Clock, SecretCipher } from './ports.js';
import { matchStep } from './totp.js';
import type { AuthEntry } from './types.js';

/** Consecutive failures that lock an account. */
export const MAX_FAILURES = 5;
/** How long a lockout lasts. */
export const LOCK_SECONDS = 900;

/** What `createAuthenticator` needs. */
export interface AuthenticatorDeps {
  auth: AuthStore;
  cipher: SecretCipher;
  audit: AuditSink;
  clock: Clock;
}

/** Checks TOTP codes for enrolled accounts. */
export interface Authenticator {
  /**
   * Returns the entry when `code` is a fresh valid code of `issuer`/`accountName`.
   * @throws InvalidCredentialsError (always the same message) for an unknown account, a missing or
   *   undecryptable secret, a wrong code or a reused time step.
   * @throws InternalError, uncounted, when the cipher itself failed (an outage is not a wrong code).
   * @throws LockedOutError while the account is locked (the code is not even looked at), and when this
   *   failure is the one that locks it.
   */
  authenticate(issuer: string, accountName: string, code: string): Promise<AuthEntry>;
}

/** Builds the authenticator over the auth table, the secret cipher and the audit sink. */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const { auth, cipher, audit, clock } = deps;

  async function fail(issuer: string, accountName: string, now: Date): Promise<never> {
    let failures: number;
    try {
      failures = await auth.recordFailure(issuer, accountName, now);
    } catch (e) {
      // The entry vanished between the read and the count: still just bad credentials.
      if (e instanceof ConflictError) throw new InvalidCredentialsError();
      throw e;
    }
    if (failures < MAX_FAILURES) throw new InvalidCredentialsError();
    const until = new Date(now.getTime() + LOCK_SECONDS * 1000);
    await auth.lock(issuer, accountName, until, now);
    // The lock is already in place; a failing publish surfaces as an error rather than going unnoticed.
    await audit.publish({
      type: 'account.locked',
      at: now.toISOString(),
      issuer,
      accountName,
      reason: `${failures} consecutive failed attempts; locked until ${until.toISOString()}`,
    });
    throw new LockedOutError();
  }

  return {
    async authenticate(issuer, accountName, code) {
      const now = clock.now();
      const entry = await auth.get(issuer, accountName);
      // Nothing to count failures on: an unknown account simply never authenticates.
      if (!entry) throw new InvalidCredentialsError();
      if (entry.lockedUntil && Date.parse(entry.lockedUntil) > now.getTime()) throw new LockedOutError();
      if (!entry.totpSecret) return fail(issuer, accountName, now);
      let otpauthUrl: string;
      try {
        otpauthUrl = await cipher.decrypt(entry.totpSecret, { issuer, account_name: accountName });
      } catch (e) {
        // An unreachable, throttled or forbidden cipher must not count as a failure (nor lock everyone out).
        if (e instanceof InternalError) throw e;
        return fail(issuer, accountName, now);
      }
      const step = matchStep(otpauthUrl, code, now);
      if (step === null) return fail(issuer, accountName, now);
      // The conditional write is the replay guard: a step (or an earlier one) already used loses.
      if (!(await auth.consumeStep(issuer, accountName, step, now))) return fail(issuer, accountName, now);
      return { ...entry, lastStep: step, failedAttempts: 0, lockedUntil: undefined };
    },
  };
}
