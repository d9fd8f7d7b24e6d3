import {
  DecryptCommand,
  EncryptCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { KmsCipher, SecretMismatchError } from '../../../../lambdas/adapters/aws/kms-cipher.js';
import { InternalError } from '../../../../lambdas/core/errors.js';

const kms = mockClient(KMSClient);
const keyId = 'arn:aws:kms:eu-west-1:123456789012:key/0000-1111';
const cipher = new KmsCipher(new KMSClient({ region: 'eu-west-1' }), keyId);
const secret = 'otpauth://totp/acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=acme';
const context = { issuer: 'acme', account_name: 'alice' };
const blob = new Uint8Array([1, 2, 3, 250, 251, 252]);

afterEach(() => {
  kms.reset();
});

describe('KmsCipher', () => {
  it('encrypts UTF-8 with the key and the entry as encryption context, returning base64', async () => {
    kms.on(EncryptCommand).resolves({ CiphertextBlob: blob, KeyId: keyId });
    await expect(cipher.encrypt(secret, { ...context, extra: 'ignored' } as typeof context)).resolves.toBe('AQID+vv8');
    expect(kms).toReceiveCommandExactlyOnceWith(EncryptCommand, {
      KeyId: keyId,
      Plaintext: new TextEncoder().encode(secret),
      EncryptionContext: { issuer: 'acme', account_name: 'alice' },
    });
  });

  it('decrypts base64 with the same key and context', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: new TextEncoder().encode(secret), KeyId: keyId });
    await expect(cipher.decrypt('AQID+vv8', context)).resolves.toBe(secret);
    const sent = kms.commandCalls(DecryptCommand)[0].args[0].input;
    expect(sent.KeyId).toBe(keyId);
    expect(sent.EncryptionContext).toStrictEqual(context);
    expect(Buffer.from(sent.CiphertextBlob!)).toStrictEqual(Buffer.from(blob));
  });

  it.each([
    [
      'InvalidCiphertextException',
      () => new InvalidCiphertextException({ $metadata: {}, message: 'bad AQID+vv8 acme' }),
    ],
    ['IncorrectKeyException', () => new IncorrectKeyException({ $metadata: {}, message: 'wrong key for alice' })],
  ])('maps %s to a secret mismatch (a bad entry, not an outage) that echoes nothing', async (name, exception) => {
    kms.on(DecryptCommand).rejects(exception());
    const error = await cipher.decrypt('AQID+vv8', context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretMismatchError);
    expect(error).not.toBeInstanceOf(InternalError);
    expect((error as Error).message).toBe(`The TOTP secret does not decrypt for this entry (${name}).`);
  });

  it.each(['ThrottlingException', 'AccessDeniedException', 'KMSInternalException', 'DisabledException'])(
    'maps %s to an internal error (an outage must not count as a wrong code)',
    async (name) => {
      kms.on(DecryptCommand).rejects(Object.assign(new Error('for alice AQID+vv8'), { name }));
      const error = await cipher.decrypt('AQID+vv8', context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InternalError);
      expect((error as Error).message).toBe(`Decryption of the TOTP secret failed (${name}).`);
    },
  );

  it('reports a decryption failure when KMS returns no plaintext', async () => {
    kms.on(DecryptCommand).resolves({});
    await expect(cipher.decrypt('AQID+vv8', context)).rejects.toThrow('Decryption of the TOTP secret failed');
  });

  it('reports an encryption failure without the plaintext', async () => {
    kms.on(EncryptCommand).rejects(Object.assign(new Error(`cannot encrypt ${secret}`), { name: 'DisabledException' }));
    const error = await cipher.encrypt(secret, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalError);
    expect((error as Error).message).toBe('Encryption of the TOTP secret failed (DisabledException).');
  });
});
