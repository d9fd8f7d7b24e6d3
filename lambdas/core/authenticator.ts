/**
 * Authenticates an account by its TOTP code (DESIGN.md §6): one use per time step, lockout after
 * repeated failures that holds under any concurrency, and one indistinguishable answer — in content and
 * in the work done — for every kind of bad credential.
 */
import { InternalError, InvalidCredentialsError, LockedOutError } from './errors.js';
import type { AuditSink, AuthStore, Clock, SecretCipher } from './ports.js';
import { generateOtpauthUrl, matchStep } from './totp.js';
import type { AuthEntry } from './types.js';

/** Consecutive failures that lock an account; also the most code checks per account per lock window. */
export const MAX_FAILURES = 5;
/** How long a lockout lasts. */
export const LOCK_SECONDS = 900;

/**
 * Encryption context of the decoy secret that unknown accounts are checked against. Its names have a
 * leading space, which no enrolled issuer or account name may have (entries.ts), so it never meets a real entry.
 */
export const DECOY_CONTEXT = Object.freeze({ issuer: ' stsftw decoy', account_name: ' stsftw decoy' });
/** Used when the cipher cannot make a decoy (a KMS key policy without the decoy grant): still one decrypt call. */
const DECOY_FALLBACK = Buffer.alloc(184, 0x5a).toString('base64');

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
   *   undecryptable secret, a wrong code or a reused time step. A reused step (a client retrying a code
   *   that was accepted) is refused without counting toward the lockout.
   * @throws InternalError, uncounted, when the cipher itself failed (an outage is not a wrong code).
   * @throws LockedOutError while the account is locked or already has {@link MAX_FAILURES} checks failed
   *   or in flight (the code is not even looked at), and when this failure is the one that locks it.
   */
  authenticate(issuer: string, accountName: string, code: string): Promise<AuthEntry>;
}

/** Builds the authenticator over the auth table, the secret cipher and the audit sink. */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const { auth, cipher, audit, clock } = deps;
  let decoy: Promise<string> | undefined;

  /** The decoy ciphertext, made once per process (started at the first call, awaited only when needed). */
  function decoySecret(): Promise<string> {
    decoy ??= cipher.encrypt(generateOtpauthUrl('stsftw', 'decoy'), DECOY_CONTEXT).catch(() => DECOY_FALLBACK);
    return decoy;
  }

  /** The work of checking a code, against a secret that can never match: the same decrypt and TOTP math. */
  async function checkDecoy(code: string, now: Date): Promise<void> {
    try {
      matchStep(await cipher.decrypt(await decoySecret(), DECOY_CONTEXT), code, now);
    } catch (e) {
      // An outage answers the same for known and unknown accounts.
      if (e instanceof InternalError) throw e;
    }
  }

  /** A claimed check failed: lock if this was the last one allowed, and say so once. */
  async function fail(issuer: string, accountName: string, claim: number, now: Date): Promise<never> {
    if (claim < MAX_FAILURES) throw new InvalidCredentialsError();
    const until = new Date(now.getTime() + LOCK_SECONDS * 1000);
    if (!(await auth.lock(issuer, accountName, until, now, MAX_FAILURES))) throw new InvalidCredentialsError();
    // The lock is already in place; a failing publish surfaces as an error rather than going unnoticed.
    await audit.publish({
      type: 'account.locked',
      at: now.toISOString(),
      issuer,
      accountName,
      reason: `${MAX_FAILURES} consecutive failed attempts; locked until ${until.toISOString()}`,
    });
    throw new LockedOutError();
  }

  return {
    async authenticate(issuer, accountName, code) {
      const now = clock.now();
      void decoySecret();
      const entry = await auth.get(issuer, accountName);
      if (entry?.lockedUntil && Date.parse(entry.lockedUntil) > now.getTime()) throw new LockedOutError();
      // Claimed before the code is looked at; for an unknown account the conditional write simply fails,
      // after the same round trip.
      const staleBefore = new Date(now.getTime() - LOCK_SECONDS * 1000);
      const claim = await auth.claimAttempt(issuer, accountName, MAX_FAILURES, now, staleBefore);
      if (!entry) {
        await checkDecoy(code, now);
        throw new InvalidCredentialsError();
      }
      if (claim === undefined) throw new LockedOutError();
      const release = () => auth.releaseAttempt(issuer, accountName, now);

      if (!entry.totpSecret) {
        await checkDecoy(code, now);
        return fail(issuer, accountName, claim, now);
      }
      let otpauthUrl: string | undefined;
      try {
        otpauthUrl = await cipher.decrypt(entry.totpSecret, { issuer, account_name: accountName });
      } catch (e) {
        // An unreachable, throttled or forbidden cipher must not count as a failure (nor lock everyone out).
        if (e instanceof InternalError) {
          await release();
          throw e;
        }
      }
      if (otpauthUrl === undefined) return fail(issuer, accountName, claim, now);
      const step = matchStep(otpauthUrl, code, now);
      if (step === null) return fail(issuer, accountName, claim, now);
      // A valid code of a step already accepted: a client retrying, not a guess. Refused, not counted.
      const replayed = entry.lastStep !== undefined && step <= entry.lastStep;
      // The conditional write is the replay guard: a step (or an earlier one) already used loses.
      if (replayed || !(await auth.consumeStep(issuer, accountName, step, now))) {
        await release();
        throw new InvalidCredentialsError();
      }
      return { ...entry, lastStep: step, failedAttempts: 0, lockedUntil: undefined };
    },
  };
}
