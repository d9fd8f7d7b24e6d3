import * as OTPAuth from 'otpauth';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../lambdas/core/errors.js';
import { generateOtpauthUrl, isTotpCode, matchStep, parseOtpauthUrl, timeStep } from '../../../lambdas/core/totp.js';

// RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const rfcUrl = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromLatin1('12345678901234567890'), label: 'rfc' }).toString();

function codeAt(url: string, at: Date): string {
  return parseOtpauthUrl(url).generate({ timestamp: at.getTime() });
}

describe('generateOtpauthUrl', () => {
  it('makes a SHA-1, 6-digit, 30-second URL with a fresh 20-byte secret', () => {
    const url = generateOtpauthUrl('example', 'alice');
    const totp = parseOtpauthUrl(url);
    expect(totp.issuer).toBe('example');
    expect(totp.label).toBe('alice');
    expect(totp.secret.bytes).toHaveLength(20);
    expect(generateOtpauthUrl('example', 'alice')).not.toBe(url);
  });
});

describe('matchStep', () => {
  const now = new Date('2030-01-01T00:00:10Z');
  const step = timeStep(now);

  it('reproduces the RFC 6238 SHA-1 vectors (6 digits)', () => {
    expect(matchStep(rfcUrl, '287082', new Date(59_000))).toBe(1);
    expect(matchStep(rfcUrl, '081804', new Date(1_111_111_109_000))).toBe(37_037_036);
    expect(matchStep(rfcUrl, '005924', new Date(1_234_567_890_000))).toBe(41_152_263);
  });

  it('accepts the current step and returns it (0 delta is a match)', () => {
    expect(matchStep(rfcUrl, codeAt(rfcUrl, now), now)).toBe(step);
  });

  it.each([-1, 1])('accepts a code from %i step away and returns that step', (delta) => {
    const code = codeAt(rfcUrl, new Date(now.getTime() + delta * 30_000));
    expect(matchStep(rfcUrl, code, now)).toBe(step + delta);
  });

  it.each([-2, 2])('refuses a code from %i steps away', (delta) => {
    const code = codeAt(rfcUrl, new Date(now.getTime() + delta * 30_000));
    expect(matchStep(rfcUrl, code, now)).toBeNull();
  });

  it.each(['12345', '1234567', '12345a', ' 123456', '١٢٣٤٥٦', '', '12 345'])(
    'refuses the malformed code %j',
    (code) => {
      expect(matchStep(rfcUrl, code, now)).toBeNull();
    },
  );

  it('refuses a wrong code', () => {
    const right = codeAt(rfcUrl, now);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    expect(matchStep(rfcUrl, wrong, now)).toBeNull();
  });

  it.each([
    ['SHA256', 'otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256'],
    ['8 digits', 'otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8'],
    ['60 s period', 'otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=60'],
    ['hotp', 'otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0'],
    ['a short secret', 'otpauth://totp/x?secret=GEZDGNBV'],
    ['not a URL', 'not a url'],
  ])('never matches a URL with %s', (_label, url) => {
    // Even the code the URL itself would produce is refused.
    let code = '000000';
    try {
      code = OTPAuth.URI.parse(url).generate().slice(0, 6);
    } catch {}
    expect(matchStep(url, code, new Date())).toBeNull();
  });
});

describe('parseOtpauthUrl', () => {
  it('refuses unsupported parameters with InvalidRequestError, without echoing the secret', () => {
    const url = 'otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA512';
    expect(() => parseOtpauthUrl(url)).toThrow(InvalidRequestError);
    try {
      parseOtpauthUrl(url);
    } catch (e) {
      expect((e as Error).message).not.toContain('GEZDGNBV');
    }
  });

  it('accepts explicit default parameters', () => {
    const url = 'otpauth://totp/i:a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&period=30';
    expect(parseOtpauthUrl(url).digits).toBe(6);
  });
});

describe('isTotpCode', () => {
  it('wants exactly six ASCII digits', () => {
    expect(isTotpCode('012345')).toBe(true);
    expect(isTotpCode('01234')).toBe(false);
    expect(isTotpCode(123456)).toBe(false);
  });
});
