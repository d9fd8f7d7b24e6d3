import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { InternalError } from '../../core/errors.js';
import type { SecretCipher } from '../../core/ports.js';
import { awsErrorName } from './aws-errors.js';

type CipherContext = { issuer: string; account_name: string };

/**
 * KMS answers that say "this ciphertext is not for this key/entry": the stored secret is bad, which the
 * authenticator answers like a wrong code. Every other failure (throttling, access, outage) is an
 * InternalError, which it passes on uncounted: an outage must not lock accounts out.
 */
const MISMATCH = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/** A stored secret that does not decrypt under its entry. */
export class SecretMismatchError extends Error {
  constructor(reason: string) {
    super(`The TOTP secret does not decrypt for this entry (${reason}).`);
    this.name = 'SecretMismatchError';
  }
}

/**
 * Encrypts TOTP secrets with a KMS key. The encryption context binds each ciphertext to its entry, so a
 * secret copied onto another account does not decrypt (and CloudTrail shows which entry was read).
 */
export class KmsCipher implements SecretCipher {
  /**
   * @param client a KMSClient created once per process.
   * @param keyId the key for TOTP secrets (`STS_KMS_KEY_ID`): id, ARN or alias.
   */
  constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
  ) {}

  async encrypt(plaintext: string, context: CipherContext): Promise<string> {
    let blob: Uint8Array | undefined;
    try {
      ({ CiphertextBlob: blob } = await this.client.send(
        new EncryptCommand({
          KeyId: this.keyId,
          Plaintext: new TextEncoder().encode(plaintext),
          EncryptionContext: encryptionContext(context),
        }),
      ));
    } catch (error) {
      throw new InternalError(`Encryption of the TOTP secret failed (${awsErrorName(error)}).`);
    }
    if (!blob) throw new InternalError('Encryption of the TOTP secret failed (no ciphertext).');
    return Buffer.from(blob).toString('base64');
  }

  async decrypt(ciphertext: string, context: CipherContext): Promise<string> {
    let plaintext: Uint8Array | undefined;
    try {
      ({ Plaintext: plaintext } = await this.client.send(
        new DecryptCommand({
          // Pinning the key refuses ciphertexts made under any other key, even ones this role could decrypt.
          KeyId: this.keyId,
          CiphertextBlob: Buffer.from(ciphertext, 'base64'),
          EncryptionContext: encryptionContext(context),
        }),
      ));
    } catch (error) {
      const name = awsErrorName(error);
      if (MISMATCH.has(name)) throw new SecretMismatchError(name);
      throw new InternalError(`Decryption of the TOTP secret failed (${name}).`);
    }
    if (!plaintext) throw new InternalError('Decryption of the TOTP secret failed (no plaintext).');
    return new TextDecoder('utf-8', { fatal: false }).decode(plaintext);
  }
}

/** A fresh object with exactly the two context keys (extra fields on the argument never reach KMS). */
function encryptionContext(context: CipherContext): Record<string, string> {
  return { issuer: context.issuer, account_name: context.account_name };
}
