/**
 * TOTP (RFC 6238) with the only parameters the broker accepts: SHA-1, 6 digits, 30-second steps.
 * Other parameters are refused rather than honoured, so every enrolled secret behaves the same way.
 */
import * as OTPAuth from 'otpauth';
import { InvalidRequestError } from './errors.js';

/** Seconds per time step. */
export const TOTP_PERIOD = 30;
/** Digits per code. */
export const TOTP_DIGITS = 6;
/** HMAC algorithm. */
export const TOTP_ALGORITHM = 'SHA1';
/** Steps accepted on each side of the current one (clock drift, code typed at a step boundary). */
export const TOTP_WINDOW = 1;
/** Bytes of a freshly generated secret (160 bits, RFC 4226 §4 recommendation). */
export const TOTP_SECRET_BYTES = 20;
/**
 * Smallest secret accepted from an imported URL: 80 bits is what many existing enrolments use;
 * anything shorter is too weak to keep.
 */
export const TOTP_MIN_SECRET_BYTES = 10;

const CODE_PATTERN = /^[0-9]{6}$/;

/** True when `code` is exactly six ASCII digits (no spaces, no Unicode digits). */
export function isTotpCode(code: unknown): code is string {
  return typeof code === 'string' && CODE_PATTERN.test(code);
}

/**
 * A code as people type it — `123 456` the way authenticator apps show it, surrounding spaces — reduced to
 * its six digits; undefined when what is left is not six ASCII digits.
 */
export function normalizeTotpCode(code: unknown): string | undefined {
  if (typeof code !== 'string') return undefined;
  const digits = code.replace(/\s+/g, '');
  return isTotpCode(digits) ? digits : undefined;
}

/** The absolute time step `now` falls in: floor(epoch seconds / 30). */
export function timeStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD);
}

/** A fresh otpauth:// URL (20-byte random secret, SHA-1, 6 digits, 30 s) for an authenticator app. */
export function generateOtpauthUrl(issuer: string, accountName: string): string {
  const totp = new OTPAuth.TOTP({
    issuer,
    label: accountName,
    secret: new OTPAuth.Secret({ size: TOTP_SECRET_BYTES }),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
  });
  return totp.toString();
}

/**
 * Parses an otpauth URL and checks it uses exactly the supported parameters.
 * @throws InvalidRequestError (without echoing the URL, which contains the secret) when it does not.
 */
export function parseOtpauthUrl(url: string): OTPAuth.TOTP {
  let otp: OTPAuth.HOTP | OTPAuth.TOTP;
  try {
    otp = OTPAuth.URI.parse(url);
  } catch {
    throw new InvalidRequestError('The TOTP secret is not a valid otpauth:// URL.');
  }
  if (!(otp instanceof OTPAuth.TOTP)) {
    throw new InvalidRequestError('Only time-based (totp) otpauth URLs are supported.');
  }
  if (otp.algorithm !== TOTP_ALGORITHM || otp.digits !== TOTP_DIGITS || otp.period !== TOTP_PERIOD) {
    throw new InvalidRequestError('Only TOTP with SHA1, 6 digits and a 30-second period is supported.');
  }
  if (otp.secret.bytes.length < TOTP_MIN_SECRET_BYTES) {
    throw new InvalidRequestError(`The TOTP secret must be at least ${TOTP_MIN_SECRET_BYTES} bytes long.`);
  }
  return otp;
}

/**
 * Checks `code` against the secret in `otpauthUrl` at `now`, accepting the previous, current and next step.
 * Returns the absolute time step that matched, or null (wrong code, malformed code, unsupported URL).
 * Replay protection is the caller's job: store the step and refuse it the next time.
 */
export function matchStep(otpauthUrl: string, code: string, now: Date): number | null {
  if (!isTotpCode(code)) return null;
  let totp: OTPAuth.TOTP;
  try {
    totp = parseOtpauthUrl(otpauthUrl);
  } catch {
    return null;
  }
  // otpauth returns the delta from the current step: 0 is a match, only null is a miss.
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: TOTP_WINDOW });
  return delta === null ? null : timeStep(now) + delta;
}
