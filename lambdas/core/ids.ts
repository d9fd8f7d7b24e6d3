/** Request ids and the short verification code both CLIs display. */
import { createHash, randomBytes } from 'node:crypto';

/** Crockford base32 without I, L, O, U (lowercase as stored; the verification code is shown uppercase). */
export const CROCKFORD_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

const ID_PREFIX = 'r_';
const ID_CHARS = 26; // 130 bits
const ID_PATTERN = /^r_[0-9abcdefghjkmnpqrstvwxyz]{26}$/;

/** The first `chars` × 5 bits of `bytes`, most significant bit first, as Crockford base32. */
function toCrockford(bytes: Uint8Array, chars: number): string {
  if (bytes.length * 8 < chars * 5) throw new RangeError('not enough bytes for the requested length');
  let out = '';
  let buffer = 0;
  let bits = 0;
  let index = 0;
  while (out.length < chars) {
    if (bits < 5) {
      buffer = ((buffer << 8) | bytes[index++]) & 0xffff;
      bits += 8;
    }
    out += CROCKFORD_ALPHABET[(buffer >> (bits - 5)) & 31];
    bits -= 5;
  }
  return out;
}

/** A fresh request id: `r_` + 26 lowercase Crockford base32 characters (130 random bits). */
export function newRequestId(): string {
  return ID_PREFIX + toCrockford(randomBytes(17), ID_CHARS);
}

/** True when `s` has the shape of a request id (checked before any store lookup). */
export function isRequestId(s: unknown): s is string {
  return typeof s === 'string' && ID_PATTERN.test(s);
}

/**
 * A short code derived from the request id and the requester's public key, e.g. `K7Q-M2X`: the first
 * 30 bits of SHA-256(`${id}\n${publicKey}`). Requester and approver compare it to be sure they look at
 * the same request (and that nobody swapped the key the credentials will be sealed to).
 */
export function verificationCode(id: string, publicKey: string): string {
  const digest = createHash('sha256').update(`${id}\n${publicKey}`, 'utf8').digest();
  const code = toCrockford(digest, 6).toUpperCase();
  return `${code.slice(0, 3)}-${code.slice(3)}`;
}
