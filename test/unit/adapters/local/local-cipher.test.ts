import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalCipher } from '../../../../lambdas/adapters/local/local-cipher.js';

const SECRET = 'otpauth://totp/acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=acme';
const alice = { issuer: 'acme', account_name: 'alice' };

let dir: string;
let keyFile: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stsftw-cipher-'));
  keyFile = join(dir, 'local.key');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('createLocalCipher', () => {
  it('creates a 32-byte key with mode 0600 when missing', async () => {
    await createLocalCipher(keyFile);
    expect((await readFile(keyFile)).length).toBe(32);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
  });

  it('round-trips with the same context, and a reopened key still decrypts', async () => {
    const ciphertext = await (await createLocalCipher(keyFile)).encrypt(SECRET, alice);
    expect(ciphertext).not.toContain('JBSWY3DP');
    expect(await (await createLocalCipher(keyFile)).decrypt(ciphertext, alice)).toBe(SECRET);
  });

  it('writes version | iv | tag | ciphertext and a fresh IV each time', async () => {
    const cipher = await createLocalCipher(keyFile);
    const a = Buffer.from(await cipher.encrypt(SECRET, alice), 'base64');
    const b = Buffer.from(await cipher.encrypt(SECRET, alice), 'base64');
    expect(a[0]).toBe(1);
    expect(a.length).toBe(1 + 12 + 16 + Buffer.byteLength(SECRET));
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
  });

  it('binds the context regardless of key order', async () => {
    const cipher = await createLocalCipher(keyFile);
    const ciphertext = await cipher.encrypt(SECRET, alice);
    expect(await cipher.decrypt(ciphertext, { account_name: 'alice', issuer: 'acme' })).toBe(SECRET);
  });

  it.each([
    ['another account', (c: string) => c, { issuer: 'acme', account_name: 'bob' }],
    ['another issuer', (c: string) => c, { issuer: 'other', account_name: 'alice' }],
    [
      'a flipped ciphertext byte',
      (c: string) => {
        const b = Buffer.from(c, 'base64');
        b[b.length - 1] ^= 1;
        return b.toString('base64');
      },
      alice,
    ],
    [
      'a flipped tag byte',
      (c: string) => {
        const b = Buffer.from(c, 'base64');
        b[14] ^= 1;
        return b.toString('base64');
      },
      alice,
    ],
    [
      'an unknown version',
      (c: string) => {
        const b = Buffer.from(c, 'base64');
        b[0] = 2;
        return b.toString('base64');
      },
      alice,
    ],
    ['a truncated value', (c: string) => c.slice(0, 20), alice],
    ['garbage', () => 'not base64 at all!', alice],
  ])('refuses %s without echoing inputs', async (_, tamper, context) => {
    const cipher = await createLocalCipher(keyFile);
    const bad = tamper(await cipher.encrypt(SECRET, alice));
    const error = await cipher.decrypt(bad, context).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain(bad.slice(0, 12));
    expect((error as Error).message).not.toContain(context.account_name);
    expect((error as Error).message).not.toContain('JBSWY3DP');
  });

  it('refuses a key made with another key file', async () => {
    const other = await createLocalCipher(join(dir, 'other.key'));
    const ciphertext = await other.encrypt(SECRET, alice);
    await expect((await createLocalCipher(keyFile)).decrypt(ciphertext, alice)).rejects.toThrow(/does not decrypt/);
  });

  it('refuses a key file of the wrong size', async () => {
    await writeFile(keyFile, Buffer.alloc(16), { mode: 0o600 });
    await expect(createLocalCipher(keyFile)).rejects.toThrow(/32-byte key/);
  });

  it.skipIf(process.platform === 'win32')('refuses a key file others can read', async () => {
    await createLocalCipher(keyFile);
    await chmod(keyFile, 0o644);
    await expect(createLocalCipher(keyFile)).rejects.toThrow(/chmod 600/);
  });
});
