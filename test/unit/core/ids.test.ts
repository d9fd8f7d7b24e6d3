import { describe, expect, it } from 'vitest';
import { CROCKFORD_ALPHABET, isRequestId, newRequestId, verificationCode } from '../../../lambdas/core/ids.js';

describe('newRequestId', () => {
  it('is r_ plus 26 lowercase Crockford base32 characters', () => {
    const id = newRequestId();
    expect(id).toMatch(/^r_[0-9abcdefghjkmnpqrstvwxyz]{26}$/);
    expect(isRequestId(id)).toBe(true);
  });

  it('does not repeat and uses the whole alphabet (random, 130 bits)', () => {
    const ids = Array.from({ length: 500 }, newRequestId);
    expect(new Set(ids).size).toBe(ids.length);
    const used = new Set(ids.join('').slice(2).replace(/r_/g, ''));
    for (const c of CROCKFORD_ALPHABET) expect(used.has(c)).toBe(true);
  });
});

describe('isRequestId', () => {
  it.each([
    '',
    'r_',
    'r_0123456789abcdefghjkmnpqr',
    'r_0123456789abcdefghjkmnpqrst',
    'r_0123456789abcdefghjkmnpqrI',
    'x_0123456789abcdefghjkmnpqrs',
    'R_0123456789ABCDEFGHJKMNPQRS',
    42,
  ])('refuses %j', (value) => {
    expect(isRequestId(value)).toBe(false);
  });
  it('accepts a well-formed id', () => {
    expect(isRequestId('r_0123456789abcdefghjkmnpqrs')).toBe(true);
  });
});

describe('verificationCode', () => {
  const id = 'r_0123456789abcdefghjkmnpqrs';
  const key = 'kVqY89HYrS1f8Z7k12xMhTQDy4tzpfDwlAhSDq-nfHc';

  it('is XXX-XXX in uppercase Crockford base32 and deterministic', () => {
    const code = verificationCode(id, key);
    expect(code).toMatch(/^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{3}-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{3}$/);
    expect(verificationCode(id, key)).toBe(code);
  });

  it('is the first 30 bits of SHA-256(id \\n publicKey)', async () => {
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update(`${id}\n${key}`).digest();
    const bits = digest.readUInt32BE(0) >>> 2; // top 30 bits
    let expected = '';
    for (let shift = 25; shift >= 0; shift -= 5) expected += CROCKFORD_ALPHABET[(bits >>> shift) & 31];
    expected = expected.toUpperCase();
    expect(verificationCode(id, key)).toBe(`${expected.slice(0, 3)}-${expected.slice(3)}`);
  });

  it('changes with the id or the key', () => {
    const code = verificationCode(id, key);
    expect(verificationCode('r_0123456789abcdefghjkmnpqrt', key)).not.toBe(code);
    expect(verificationCode(id, `${key.slice(0, -1)}d`)).not.toBe(code);
  });
});
