/**
 * Sealing credentials to the requester (DESIGN.md §4): HPKE base mode (RFC 9180) with DHKEM(X25519,
 * HKDF-SHA256), HKDF-SHA256 and AES-256-GCM. Keys and outputs travel as base64url; `aad` is the request id.
 */
import { Buffer } from 'node:buffer';
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { InternalError, InvalidRequestError } from './errors.js';
import type { Sealed } from './types.js';

/** HPKE `info`: binds every sealed value to this protocol and version. */
export const SEALING_INFO = 'stsftw/v1 credentials';

const KEY_BYTES = 32;
const kem = new DhkemX25519HkdfSha256();
const suite = new CipherSuite({ kem, kdf: new HkdfSha256(), aead: new Aes256Gcm() });
const utf8 = new TextEncoder();
const info = utf8.encode(SEALING_INFO);

/** Strict base64url: `Buffer.from(…, 'base64url')` silently skips bad characters, so re-encode and compare. */
function decodeBase64url(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]*$/.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  return bytes.toString('base64url') === value ? bytes : undefined;
}

function encodeBase64url(bytes: ArrayBuffer | Uint8Array): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('base64url');
}

/**
 * Checks a public key: base64url (no padding) of exactly 32 bytes.
 * @returns the raw key bytes.
 * @throws InvalidRequestError otherwise.
 */
export function decodePublicKey(publicKey: unknown): Uint8Array {
  const bytes = decodeBase64url(publicKey);
  if (!bytes || bytes.length !== KEY_BYTES) {
    throw new InvalidRequestError('publicKey must be the base64url of a raw 32-byte X25519 public key.');
  }
  return bytes;
}

/**
 * Checks that credentials can be sealed to `publicKey`: the format of {@link decodePublicKey}, and a point
 * X25519 accepts (a low-order point gives an all-zero shared secret, which HPKE refuses). Checked when a
 * request is made, so such a key is refused at once rather than failing the mint after STS has issued.
 * @throws InvalidRequestError otherwise.
 */
export async function assertSealable(publicKey: unknown): Promise<void> {
  const bytes = decodePublicKey(publicKey);
  try {
    await suite.createSenderContext({ recipientPublicKey: await kem.deserializePublicKey(bytes), info });
  } catch {
    throw new InvalidRequestError('publicKey is not a usable X25519 public key.');
  }
}

function decodePrivateKey(privateKey: string): Uint8Array {
  const bytes = decodeBase64url(privateKey);
  if (!bytes || bytes.length !== KEY_BYTES) {
    throw new InvalidRequestError('The private key must be the base64url of a raw 32-byte X25519 private key.');
  }
  return bytes;
}

/** A fresh X25519 key pair, each key the base64url of its raw 32 bytes. Make one per request. */
export async function generateKeyPair(): Promise<{ publicKey: string; privateKey: string }> {
  const pair = await kem.generateKeyPair();
  return {
    publicKey: encodeBase64url(await kem.serializePublicKey(pair.publicKey)),
    privateKey: encodeBase64url(await kem.serializePrivateKey(pair.privateKey)),
  };
}

/** Encrypts `plaintext` to `publicKey` (base64url raw X25519), bound to `aad` (the request id). */
export async function seal(publicKey: string, plaintext: string, aad: string): Promise<Sealed> {
  const recipientPublicKey = await kem.deserializePublicKey(decodePublicKey(publicKey));
  const sender = await suite.createSenderContext({ recipientPublicKey, info });
  const ciphertext = await sender.seal(utf8.encode(plaintext), utf8.encode(aad));
  return { enc: encodeBase64url(sender.enc), ciphertext: encodeBase64url(ciphertext) };
}

/**
 * Decrypts `sealed` with `privateKey` (base64url raw X25519) and the same `aad` it was sealed with.
 * @throws InternalError when the key, the aad or the data do not match (no detail: nothing to leak).
 */
export async function open(privateKey: string, sealed: Sealed, aad: string): Promise<string> {
  const recipientKey = await kem.deserializePrivateKey(decodePrivateKey(privateKey));
  const enc = decodeBase64url(sealed?.enc);
  const ciphertext = decodeBase64url(sealed?.ciphertext);
  if (!enc || !ciphertext) throw new InternalError('The sealed credentials are malformed.');
  try {
    const recipient = await suite.createRecipientContext({ recipientKey, enc, info });
    const plaintext = await recipient.open(ciphertext, utf8.encode(aad));
    return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  } catch {
    throw new InternalError('The sealed credentials could not be opened with this key.');
  }
}
