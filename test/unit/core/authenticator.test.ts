import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createAuthenticator, DECOY_CONTEXT, LOCK_SECONDS, MAX_FAILURES } from '../../../lambdas/core/authenticator.js';
import { InternalError, InvalidCredentialsError, LockedOutError } from '../../../lambdas/core/errors.js';
import { timeStep } from '../../../lambdas/core/totp.js';
import { enroll, memoryPorts, rejection, totpCode } from '../../support/memory.js';

const ISSUER = 'example';

async function setup() {
  const ports = memoryPorts('2030-01-01T00:00:10.000Z');
  const authenticator = createAuthenticator(ports);
  const url = await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'alice', roles: ['admin'] });
  const code = (offset = 0) => totpCode(url, ports.clock.now(), offset);
  const wrong = () => String((Number(code()) + 1) % 1_000_000).padStart(6, '0');
  return { ...ports, authenticator, url, code, wrong };
}

describe('authenticate', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  it('accepts a valid code and returns the entry', async () => {
    const entry = await t.authenticator.authenticate(ISSUER, 'alice', t.code());
    expect(entry).toMatchObject({ issuer: ISSUER, accountName: 'alice', roles: ['admin'] });
    expect(t.auth.peek(ISSUER, 'alice')?.lastStep).toBe(timeStep(t.clock.now()));
  });

  it.each([-1, 1])('accepts a code %i step away', async (offset) => {
    await expect(t.authenticator.authenticate(ISSUER, 'alice', t.code(offset))).resolves.toMatchObject({
      accountName: 'alice',
      lastStep: timeStep(t.clock.now()) + offset,
      failedAttempts: 0,
    });
    expect(t.auth.peek(ISSUER, 'alice')?.lastStep).toBe(timeStep(t.clock.now()) + offset);
  });

  it.each([-2, 2])('refuses a code %i steps away', async (offset) => {
    await expect(t.authenticator.authenticate(ISSUER, 'alice', t.code(offset))).rejects.toThrow(
      InvalidCredentialsError,
    );
  });

  it('accepts a time step at most once (replay refused)', async () => {
    const code = t.code();
    await t.authenticator.authenticate(ISSUER, 'alice', code);
    await expect(t.authenticator.authenticate(ISSUER, 'alice', code)).rejects.toThrow(InvalidCredentialsError);
    // An older step than the last accepted one is a replay too.
    t.clock.advance(30);
    await t.authenticator.authenticate(ISSUER, 'alice', t.code());
    await expect(t.authenticator.authenticate(ISSUER, 'alice', t.code(-1))).rejects.toThrow(InvalidCredentialsError);
  });

  it('never authenticates an entry with an empty or missing secret', async () => {
    const entry = t.auth.peek(ISSUER, 'alice')!;
    for (const totpSecret of ['', undefined]) {
      await t.auth.put({ ...entry, totpSecret, failedAttempts: 0 }, { overwrite: true });
      const e = await rejection(t.authenticator.authenticate(ISSUER, 'alice', t.code()));
      expect(e).toBeInstanceOf(InvalidCredentialsError);
    }
  });

  it('makes unknown account, missing secret, undecryptable secret, wrong code and replay indistinguishable', async () => {
    const errors: Error[] = [];
    errors.push(await rejection(t.authenticator.authenticate(ISSUER, 'nobody', t.code())));
    errors.push(await rejection(t.authenticator.authenticate('other-issuer', 'alice', t.code())));
    errors.push(await rejection(t.authenticator.authenticate(ISSUER, 'alice', t.wrong())));
    errors.push(await rejection(t.authenticator.authenticate(ISSUER, 'alice', 'abcdef')));
    const used = t.code();
    await t.authenticator.authenticate(ISSUER, 'alice', used);
    errors.push(await rejection(t.authenticator.authenticate(ISSUER, 'alice', used)));
    // Ciphertext bound to another account (context mismatch) does not decrypt.
    await enroll(t.auth, t.cipher, { issuer: ISSUER, accountName: 'bob' });
    const alice = t.auth.peek(ISSUER, 'alice')!;
    await t.auth.update(ISSUER, 'bob', { totpSecret: alice.totpSecret });
    errors.push(await rejection(t.authenticator.authenticate(ISSUER, 'bob', t.code())));
    await t.auth.update(ISSUER, 'bob', { totpSecret: '' });
    errors.push(await rejection(t.authenticator.authenticate(ISSUER, 'bob', t.code())));

    expect(errors).toHaveLength(7);
    for (const e of errors) {
      expect(e.constructor).toBe(InvalidCredentialsError);
      expect(e.message).toBe(new InvalidCredentialsError().message);
    }
  });

  it(`locks after exactly ${MAX_FAILURES} consecutive failures, audits it, and refuses without checking the code`, async () => {
    for (let i = 1; i < MAX_FAILURES; i++) {
      await expect(t.authenticator.authenticate(ISSUER, 'alice', t.wrong())).rejects.toThrow(InvalidCredentialsError);
    }
    expect(t.audit.events).toEqual([]);
    await expect(t.authenticator.authenticate(ISSUER, 'alice', t.wrong())).rejects.toThrow(LockedOutError);
    const until = new Date(t.clock.now().getTime() + LOCK_SECONDS * 1000).toISOString();
    expect(t.auth.peek(ISSUER, 'alice')?.lockedUntil).toBe(until);
    expect(t.audit.events).toEqual([
      expect.objectContaining({
        type: 'account.locked',
        issuer: ISSUER,
        accountName: 'alice',
        at: t.clock.now().toISOString(),
      }),
    ]);

    // While locked, even the right code is refused, and the secret is never decrypted.
    const decrypt = vi.spyOn(t.cipher, 'decrypt');
    t.clock.advance(LOCK_SECONDS - 1);
    await expect(t.authenticator.authenticate(ISSUER, 'alice', t.code())).rejects.toThrow(LockedOutError);
    expect(decrypt).not.toHaveBeenCalled();
    expect(t.auth.peek(ISSUER, 'alice')?.lastStep).toBeUndefined();
    expect(t.audit.events).toHaveLength(1);

    // After 15 minutes the right code works again.
    t.clock.advance(1);
    await expect(t.authenticator.authenticate(ISSUER, 'alice', t.code())).resolves.toMatchObject({
      issuer: ISSUER,
      accountName: 'alice',
      lastStep: timeStep(t.clock.now()),
    });
    expect(decrypt).toHaveBeenCalledTimes(1);
    expect(t.auth.peek(ISSUER, 'alice')).toMatchObject({ failedAttempts: 0 });
    expect(t.auth.peek(ISSUER, 'alice')?.lockedUntil).toBeUndefined();
  });

  it('counts only consecutive failures: a success resets the counter', async () => {
    for (let i = 1; i < MAX_FAILURES; i++) {
      await expect(t.authenticator.authenticate(ISSUER, 'alice', t.wrong())).rejects.toThrow(InvalidCredentialsError);
    }
    await t.authenticator.authenticate(ISSUER, 'alice', t.code());
    for (let i = 1; i < MAX_FAILURES; i++) {
      await expect(t.authenticator.authenticate(ISSUER, 'alice', t.wrong())).rejects.toThrow(InvalidCredentialsError);
    }
    expect(t.auth.peek(ISSUER, 'alice')?.failedAttempts).toBe(MAX_FAILURES - 1);
  });

  it('refuses a replayed code without counting it toward the lockout (a client retrying)', async () => {
    const used = t.code();
    await t.authenticator.authenticate(ISSUER, 'alice', used);
    for (let i = 0; i < 3 * MAX_FAILURES; i++) {
      await expect(t.authenticator.authenticate(ISSUER, 'alice', used)).rejects.toThrow(InvalidCredentialsError);
    }
    expect(t.auth.peek(ISSUER, 'alice')?.failedAttempts ?? 0).toBe(0);
    expect(t.auth.peek(ISSUER, 'alice')?.lockedUntil).toBeUndefined();
    // Concurrent retries of the same fresh code: one wins, the others are refused, none counts.
    t.clock.advance(30);
    const fresh = t.code();
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () => t.authenticator.authenticate(ISSUER, 'alice', fresh)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(t.auth.peek(ISSUER, 'alice')?.failedAttempts ?? 0).toBe(0);
    expect(t.audit.events).toEqual([]);
    // Wrong codes still count from zero.
    for (let i = 1; i < MAX_FAILURES; i++) {
      await expect(t.authenticator.authenticate(ISSUER, 'alice', t.wrong())).rejects.toThrow(InvalidCredentialsError);
    }
    await expect(t.authenticator.authenticate(ISSUER, 'alice', t.wrong())).rejects.toThrow(LockedOutError);
  });

  it(`checks at most ${MAX_FAILURES} codes per lock window however many arrive at once, and locks once`, async () => {
    const guesses = Array.from({ length: 100 }, (_, i) =>
      String((Number(t.code()) + 1 + i) % 1_000_000).padStart(6, '0'),
    );
    const results = await Promise.allSettled(
      [...guesses, t.code()].map((code) => t.authenticator.authenticate(ISSUER, 'alice', code)),
    );
    const checks = t.cipher.decrypted.filter((c) => c.account_name === 'alice').length;
    expect(checks).toBeLessThanOrEqual(MAX_FAILURES);
    expect(results.at(-1)?.status).toBe('rejected');
    expect(t.audit.events.filter((e) => e.type === 'account.locked')).toHaveLength(1);
    await expect(t.authenticator.authenticate(ISSUER, 'alice', t.code())).rejects.toThrow(LockedOutError);
  });

  it('never locks or records anything for an unknown account', async () => {
    for (let i = 0; i < MAX_FAILURES + 2; i++) {
      await expect(t.authenticator.authenticate(ISSUER, 'nobody', t.code())).rejects.toThrow(InvalidCredentialsError);
    }
    expect(t.auth.peek(ISSUER, 'nobody')).toBeUndefined();
    expect(t.audit.events).toEqual([]);
  });

  it('does not count a cipher outage as a failed attempt (no lockout)', async () => {
    const outage = new InternalError('Decryption of the TOTP secret failed (ThrottlingException).');
    const decrypt = vi.spyOn(t.cipher, 'decrypt').mockRejectedValue(outage);
    for (let i = 0; i < MAX_FAILURES + 1; i++) {
      expect(await rejection(t.authenticator.authenticate(ISSUER, 'alice', t.code()))).toBe(outage);
    }
    expect(t.auth.peek(ISSUER, 'alice')?.failedAttempts ?? 0).toBe(0);
    expect(t.auth.peek(ISSUER, 'alice')?.lockedUntil).toBeUndefined();
    expect(t.audit.events).toEqual([]);
    decrypt.mockRestore();
    await expect(t.authenticator.authenticate(ISSUER, 'alice', t.code())).resolves.toMatchObject({
      issuer: ISSUER,
      accountName: 'alice',
      lastStep: timeStep(t.clock.now()),
    });
  });

  it('checks the code of an unknown account against a decoy secret: the same work as for a known one', async () => {
    await expect(t.authenticator.authenticate(ISSUER, 'nobody', t.code())).rejects.toThrow(InvalidCredentialsError);
    expect(t.cipher.decrypted).toEqual([DECOY_CONTEXT]);
    await expect(t.authenticator.authenticate(ISSUER, 'alice', t.wrong())).rejects.toThrow(InvalidCredentialsError);
    expect(t.cipher.decrypted).toEqual([DECOY_CONTEXT, { issuer: ISSUER, account_name: 'alice' }]);
    expect(t.auth.peek(ISSUER, 'nobody')).toBeUndefined();
  });

  it('still answers an unknown account when the cipher cannot make a decoy', async () => {
    const ports = memoryPorts('2030-01-01T00:00:10.000Z');
    vi.spyOn(ports.cipher, 'encrypt').mockRejectedValue(new InternalError('AccessDeniedException'));
    const authenticator = createAuthenticator(ports);
    const e = await rejection(authenticator.authenticate(ISSUER, 'nobody', '123456'));
    expect(e).toBeInstanceOf(InvalidCredentialsError);
    expect(ports.cipher.decryptCalls).toBe(1);
  });
});
