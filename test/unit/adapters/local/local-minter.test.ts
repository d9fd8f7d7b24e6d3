import { describe, expect, it } from 'vitest';
import { LocalMinter } from '../../../../lambdas/adapters/local/local-minter.js';

const input = {
  roleArn: 'arn:aws:iam::123456789012:role/Admin',
  roleSessionName: 'alice@acme',
  sourceIdentity: 'alice',
  durationSeconds: 900,
  tags: [],
};

describe('LocalMinter', () => {
  it('returns credentials clearly marked local that expire after the duration', async () => {
    const now = new Date('2030-01-01T00:00:00.000Z');
    const credentials = await new LocalMinter({ now: () => now }).assumeRole(input);
    expect(credentials.AccessKeyId).toMatch(/^ASIALOCAL[A-Z2-7]{11}$/);
    expect(credentials.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(credentials.SessionToken.startsWith('stsftw-local-not-valid-on-aws-')).toBe(true);
    expect(credentials.Expiration).toBe('2030-01-01T00:15:00.000Z');
  });

  it('makes fresh random values each time', async () => {
    const minter = new LocalMinter();
    const [a, b] = await Promise.all([minter.assumeRole(input), minter.assumeRole(input)]);
    expect(a.AccessKeyId).not.toBe(b.AccessKeyId);
    expect(a.SecretAccessKey).not.toBe(b.SecretAccessKey);
    expect(a.SessionToken).not.toBe(b.SessionToken);
  });
});
