import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../lambdas/core/errors.js';
import {
  assertSealable,
  decodePublicKey,
  generateKeyPair,
  open,
  SEALING_INFO,
  seal,
} from '../../../lambdas/core/sealing.js';

const vector = JSON.parse(readFileSync(new URL('../../fixtures/sealing-vector.json', import.meta.url), 'utf8'));

describe('sealing', () => {
  it('opens the independent known-answer vector', async () => {
    expect(vector.info).toBe(SEALING_INFO);
    await expect(open(vector.recipientPrivateKey.value, vector.sealed, vector.aad)).resolves.toBe(vector.plaintext);
  });

  it('seals to the vector public key so that its private key opens it', async () => {
    const sealed = await seal(vector.recipientPublicKey, 'hello', 'r_x');
    await expect(open(vector.recipientPrivateKey.value, sealed, 'r_x')).resolves.toBe('hello');
  });

  it('round-trips with a fresh key pair, and each seal differs', async () => {
    const { publicKey, privateKey } = await generateKeyPair();
    expect(Buffer.from(publicKey, 'base64url')).toHaveLength(32);
    expect(Buffer.from(privateKey, 'base64url')).toHaveLength(32);
    const a = await seal(publicKey, '{"AccessKeyId":"A"}', 'r_1');
    const b = await seal(publicKey, '{"AccessKeyId":"A"}', 'r_1');
    expect(a.enc).not.toBe(b.enc);
    expect(a.ciphertext).toMatch(/^[A-Za-z0-9_-]+$/);
    await expect(open(privateKey, a, 'r_1')).resolves.toBe('{"AccessKeyId":"A"}');
  });

  it('refuses the wrong aad', async () => {
    await expect(open(vector.recipientPrivateKey.value, vector.sealed, 'r_other')).rejects.toThrow(
      'could not be opened',
    );
  });

  it('refuses the wrong key', async () => {
    const other = await generateKeyPair();
    await expect(open(other.privateKey, vector.sealed, vector.aad)).rejects.toThrow('could not be opened');
  });

  it('refuses tampered ciphertext', async () => {
    const c = Buffer.from(vector.sealed.ciphertext, 'base64url');
    c[0] ^= 1;
    await expect(
      open(vector.recipientPrivateKey.value, { ...vector.sealed, ciphertext: c.toString('base64url') }, vector.aad),
    ).rejects.toThrow('could not be opened');
  });
});

describe('decodePublicKey', () => {
  it('accepts 32 bytes of base64url', () => {
    expect(decodePublicKey(vector.recipientPublicKey)).toHaveLength(32);
  });

  it.each([
    ['31 bytes', Buffer.alloc(31, 1).toString('base64url')],
    ['33 bytes', Buffer.alloc(33, 1).toString('base64url')],
    ['padding', `${vector.recipientPublicKey}=`],
    ['standard base64', Buffer.alloc(32, 0xfb).toString('base64')],
    ['junk characters', `${vector.recipientPublicKey.slice(0, 20)}!${vector.recipientPublicKey.slice(21)}`],
    ['a number', 42],
  ])('refuses %s', (_label, value) => {
    expect(() => decodePublicKey(value)).toThrow(InvalidRequestError);
  });
});

describe('assertSealable', () => {
  it('accepts a real public key', async () => {
    await expect(assertSealable((await generateKeyPair()).publicKey)).resolves.toBeUndefined();
  });

  it.each([
    ['the zero point', Buffer.alloc(32).toString('base64url')],
    ['the point of order 1', Buffer.from([1, ...Buffer.alloc(31)]).toString('base64url')],
    ['a malformed key', 'not a key'],
  ])('refuses %s', async (_label, value) => {
    await expect(assertSealable(value)).rejects.toThrow(InvalidRequestError);
  });
});
