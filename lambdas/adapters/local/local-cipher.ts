/**
 * The embedded broker's SecretCipher: AES-256-GCM under a 32-byte key kept in a 0600 file in the data
 * dir. The encryption context is bound as AAD (as KMS does with its encryption context), so a secret
 * copied onto another account's entry no longer decrypts.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { SecretCipher } from '../../core/ports.js';

const VERSION = 1;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** The context as AAD: JSON with sorted keys, so the same context always gives the same bytes. */
function aad(context: Record<string, string>): Buffer {
  const sorted = Object.fromEntries(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return Buffer.from(JSON.stringify(sorted), 'utf8');
}

async function loadOrCreateKey(keyFile: string): Promise<Buffer> {
  try {
    // `wx`: never overwrite a key another process just wrote (that would orphan its secrets).
    await writeFile(keyFile, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if (process.platform !== 'win32' && ((await stat(keyFile)).mode & 0o077) !== 0) {
    throw new Error(`the key file ${keyFile} is readable by other users: run \`chmod 600 ${keyFile}\``);
  }
  const key = await readFile(keyFile);
  if (key.length !== KEY_BYTES) throw new Error(`the key file ${keyFile} does not hold a ${KEY_BYTES}-byte key`);
  return key;
}

/**
 * Opens (or creates, mode 0600) the key in `keyFile`. Ciphertexts are base64 of
 * `version (1) | iv (12) | tag (16) | ciphertext`.
 */
export async function createLocalCipher(keyFile: string): Promise<SecretCipher> {
  const key = await loadOrCreateKey(keyFile);
  return {
    async encrypt(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), body]).toString('base64');
    },
    async decrypt(ciphertext, context) {
      const bytes = Buffer.from(ciphertext, 'base64');
      // One message for every failure: which check failed says nothing useful and the inputs stay out of it.
      const failure = new Error('local cipher: the secret does not decrypt with this key and context');
      if (bytes.length < HEADER_BYTES || bytes[0] !== VERSION) throw failure;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + IV_BYTES), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(aad(context));
        decipher.setAuthTag(bytes.subarray(1 + IV_BYTES, HEADER_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw failure;
      }
    },
  };
}
