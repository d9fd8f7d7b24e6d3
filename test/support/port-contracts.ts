/**
 * The documented semantics of the stores core relies on (lambdas/core/ports.ts), as one suite run against
 * every implementation: the in-memory fakes most unit tests use, and the DynamoDB adapters on dynalite.
 * A fake that drifts from the adapter (an expiry boundary, a condition) fails here, not in production.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../lambdas/core/errors.js';
import type { AuthStore, RequestStore } from '../../lambdas/core/ports.js';
import type { AuthEntry, RequestRecord } from '../../lambdas/core/types.js';

/** The clock every case runs at. */
export const now = new Date('2025-06-01T00:00:00.000Z');

function entry(accountName: string): AuthEntry {
  return {
    issuer: 'acme',
    accountName,
    roles: ['admin'],
    secondaryAuthorization: ['bob'],
    totpSecret: 'Y2lwaGVydGV4dA==',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

function request(id: string, overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id,
    status: 'VERIFYING',
    issuer: 'acme',
    accountName: 'alice',
    role: 'admin',
    durationSeconds: 900,
    publicKey: 'cHVibGljLWtleQ',
    createdAt: now.toISOString(),
    decisionDeadline: '2025-06-01T00:15:00.000Z',
    expiresAt: Math.floor(now.getTime() / 1000) + 86_400,
    ...overrides,
  };
}

/**
 * Runs the AuthStore contract against the store `make` returns (once, before the cases; each case uses
 * its own keys). The store's own clock must read {@link now}.
 */
export function authStoreContract(name: string, make: () => Promise<AuthStore>): void {
  describe(`AuthStore contract: ${name}`, () => {
    let auth: AuthStore;
    beforeAll(async () => {
      auth = await make();
    });

    it('enrolls once and reads back exactly what was put', async () => {
      await auth.put(entry('alice'));
      await expect(auth.put(entry('alice'))).rejects.toBeInstanceOf(ConflictError);
      await auth.put({ ...entry('alice'), roles: ['admin', 'dev'] }, { overwrite: true });
      await expect(auth.get('acme', 'alice')).resolves.toStrictEqual({ ...entry('alice'), roles: ['admin', 'dev'] });
      await expect(auth.get('acme', 'nobody')).resolves.toBeUndefined();
    });

    it('lists one issuer only', async () => {
      await auth.put(entry('zoe'));
      await auth.put({ ...entry('mallory'), issuer: 'other' });
      const accounts = (await auth.list('acme')).map((e) => e.accountName);
      expect(accounts).toContain('zoe');
      expect(accounts).not.toContain('mallory');
    });

    it('accepts each TOTP step once and refuses replays and older steps', async () => {
      await auth.put(entry('carol'));
      expect(await auth.consumeStep('acme', 'carol', 1000, now)).toBe(true);
      expect(await auth.consumeStep('acme', 'carol', 1000, now)).toBe(false);
      expect(await auth.consumeStep('acme', 'carol', 999, now)).toBe(false);
      expect(await auth.consumeStep('acme', 'carol', 1001, now)).toBe(true);
      expect(await auth.consumeStep('acme', 'nobody', 1002, now)).toBe(false);
    });

    it('lets exactly one of two racing logins use a step', async () => {
      await auth.put(entry('erin'));
      const results = await Promise.all([
        auth.consumeStep('acme', 'erin', 2000, now),
        auth.consumeStep('acme', 'erin', 2000, now),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('claims at most `max` attempts, locks once at the limit, and clears both on a good code', async () => {
      await auth.put(entry('frank'));
      const stale = new Date(now.getTime() - 900_000);
      const claims = await Promise.all(
        Array.from({ length: 20 }, () => auth.claimAttempt('acme', 'frank', 5, now, stale)),
      );
      expect(claims.filter((c) => c !== undefined).sort()).toEqual([1, 2, 3, 4, 5]);
      await auth.releaseAttempt('acme', 'frank', now);
      await expect(auth.get('acme', 'frank')).resolves.toMatchObject({ failedAttempts: 4 });
      // Below the limit there is nothing to lock.
      expect(await auth.lock('acme', 'frank', new Date('2025-06-01T00:15:00.000Z'), now, 5)).toBe(false);
      expect(await auth.claimAttempt('acme', 'frank', 5, now, stale)).toBe(5);
      const locks = await Promise.all(
        Array.from({ length: 5 }, () => auth.lock('acme', 'frank', new Date('2025-06-01T00:15:00.000Z'), now, 5)),
      );
      expect(locks.filter(Boolean)).toHaveLength(1);
      await expect(auth.get('acme', 'frank')).resolves.toMatchObject({
        failedAttempts: 0,
        lockedUntil: '2025-06-01T00:15:00.000Z',
      });
      // Locked: no claim until the lock has passed.
      expect(await auth.claimAttempt('acme', 'frank', 5, now, stale)).toBeUndefined();
      const later = new Date('2025-06-01T00:15:00.000Z');
      expect(await auth.claimAttempt('acme', 'frank', 5, later, stale)).toBe(1);
      expect(await auth.consumeStep('acme', 'frank', 3000, later)).toBe(true);
      const after = await auth.get('acme', 'frank');
      expect(after).toMatchObject({ failedAttempts: 0, lastStep: 3000 });
      expect(after?.lockedUntil).toBeUndefined();
      // Never below zero.
      await auth.releaseAttempt('acme', 'frank', later);
      await expect(auth.get('acme', 'frank')).resolves.toMatchObject({ failedAttempts: 0 });
    });

    it('lets a claim through a counter stuck at the limit once it is stale (a claimant that died before locking)', async () => {
      await auth.put({ ...entry('heidi'), failedAttempts: 5, updatedAt: '2025-05-31T23:00:00.000Z' });
      expect(await auth.claimAttempt('acme', 'heidi', 5, now, new Date('2025-05-31T22:59:00.000Z'))).toBeUndefined();
      expect(await auth.claimAttempt('acme', 'heidi', 5, now, new Date('2025-05-31T23:45:00.000Z'))).toBe(6);
    });

    it('stores approval rules, reads them back, and removes them with an empty list', async () => {
      const rules = [
        { role: 'admin', approvals: 2, approvers: ['sec1', 'Bob Smith'] },
        { role: '*', approvals: 0 },
      ];
      await auth.put({ ...entry('ruled'), approvalRules: rules });
      await expect(auth.get('acme', 'ruled')).resolves.toStrictEqual({ ...entry('ruled'), approvalRules: rules });
      await auth.update('acme', 'ruled', { approvalRules: [{ role: 'admin', approvals: 1 }] });
      expect((await auth.get('acme', 'ruled'))?.approvalRules).toStrictEqual([{ role: 'admin', approvals: 1 }]);
      await auth.update('acme', 'ruled', { approvalRules: [] });
      expect((await auth.get('acme', 'ruled'))?.approvalRules).toBeUndefined();
    });

    it('updates and removes existing entries only', async () => {
      await auth.put(entry('grace'));
      await auth.consumeStep('acme', 'grace', 4000, now);
      await auth.put(
        { ...entry('grace'), lastStep: 4000, failedAttempts: 3, lockedUntil: '2025-06-01T00:15:00.000Z' },
        { overwrite: true },
      );
      await auth.update('acme', 'grace', { roles: ['dev'], resetCounters: true });
      const updated = await auth.get('acme', 'grace');
      expect(updated).toMatchObject({ roles: ['dev'], failedAttempts: 0, lastStep: 4000 });
      expect(updated?.lockedUntil).toBeUndefined();
      await auth.remove('acme', 'grace');
      await expect(auth.get('acme', 'grace')).resolves.toBeUndefined();
      await expect(auth.remove('acme', 'grace')).rejects.toBeInstanceOf(ConflictError);
      await expect(auth.update('acme', 'grace', { roles: ['dev'] })).rejects.toBeInstanceOf(ConflictError);
      expect(await auth.claimAttempt('acme', 'grace', 5, now, now)).toBeUndefined();
      expect(await auth.lock('acme', 'grace', now, now, 0)).toBe(false);
      await auth.releaseAttempt('acme', 'grace', now);
      // The failed conditional writes must not have created the item.
      await expect(auth.get('acme', 'grace')).resolves.toBeUndefined();
    });
  });
}

/** Runs the RequestStore contract against the store `make` returns. */
export function requestStoreContract(name: string, make: () => Promise<RequestStore>): void {
  describe(`RequestStore contract: ${name}`, () => {
    let requests: RequestStore;
    beforeAll(async () => {
      requests = await make();
    });

    it('creates a request once and reads it back', async () => {
      await requests.create(request('r_create'));
      await expect(requests.create(request('r_create'))).rejects.toBeInstanceOf(ConflictError);
      await expect(requests.get('r_create', now)).resolves.toStrictEqual(request('r_create'));
    });

    it('guards transitions by the current status', async () => {
      await requests.create(request('r_flow'));
      const waiting = await requests.transition('r_flow', ['VERIFYING'], 'AWAITING_APPROVAL', { taskToken: 'tok' });
      expect(waiting).toMatchObject({ status: 'AWAITING_APPROVAL', taskToken: 'tok' });
      await expect(requests.transition('r_flow', ['VERIFYING'], 'APPROVED')).rejects.toBeInstanceOf(ConflictError);

      const approved = await requests.transition('r_flow', ['AWAITING_APPROVAL'], 'APPROVED', {
        approvedBy: 'bob',
        taskToken: null,
      });
      expect(approved).toMatchObject({ status: 'APPROVED', approvedBy: 'bob' });
      expect(approved.taskToken).toBeUndefined();
      // Approve and deny racing for the same request: the second loses.
      await expect(
        requests.transition('r_flow', ['AWAITING_APPROVAL'], 'DENIED', { deniedBy: 'carol' }),
      ).rejects.toBeInstanceOf(ConflictError);

      const minted = await requests.transition('r_flow', ['APPROVED'], 'MINTED', {
        sealedCredentials: { enc: 'ZW5j', ciphertext: 'Y2lwaGVy' },
        expiration: '2025-06-01T01:00:00.000Z',
      });
      expect(minted.sealedCredentials).toStrictEqual({ enc: 'ZW5j', ciphertext: 'Y2lwaGVy' });
      await expect(requests.get('r_flow', now)).resolves.toStrictEqual(minted);
    });

    it('counts each approver once, only in the given statuses and only on the expected count', async () => {
      await requests.create(request('r_quorum', { status: 'AWAITING_APPROVAL', approvalsRequired: 2 }));
      const approval = (accountName: string) => ({ accountName, approvedAt: '2025-06-01T00:00:01.000Z' });
      const first = await requests.addApproval('r_quorum', ['AWAITING_APPROVAL'], approval('Bob Smith'), 0);
      expect(first).toMatchObject({
        status: 'AWAITING_APPROVAL',
        approvedBy: 'Bob Smith',
        approvalsRequired: 2,
        approvals: [approval('Bob Smith')],
      });
      // The same approver again, a status not allowed, or a stale count: refused, nothing written.
      for (const [from, who, expected] of [
        ['AWAITING_APPROVAL', 'Bob Smith', 1],
        ['VERIFYING', 'carol', 1],
        ['AWAITING_APPROVAL', 'carol', 0],
        ['AWAITING_APPROVAL', 'carol', 2],
      ] as const) {
        await expect(requests.addApproval('r_quorum', [from], approval(who), expected)).rejects.toBeInstanceOf(
          ConflictError,
        );
      }
      // The approval that completes the quorum decides the request in the same write.
      const second = await requests.addApproval('r_quorum', ['AWAITING_APPROVAL'], approval('carol'), 1, 'APPROVED');
      expect(second.status).toBe('APPROVED');
      expect(second.approvals?.map((a) => a.accountName)).toEqual(['Bob Smith', 'carol']);
      await expect(requests.addApproval('r_quorum', ['AWAITING_APPROVAL'], approval('dave'), 2)).rejects.toBeInstanceOf(
        ConflictError,
      );
      await expect(
        requests.addApproval('r_missing', ['AWAITING_APPROVAL'], approval('dave'), 0),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(requests.get('r_quorum', now)).resolves.toStrictEqual(second);
      await expect(requests.get('r_missing', now)).resolves.toBeUndefined();
    });

    it('lets exactly one of ten approvers racing on the same count win it', async () => {
      await requests.create(request('r_race', { status: 'AWAITING_APPROVAL', approvalsRequired: 2 }));
      const names = Array.from({ length: 10 }, (_, i) => `approver${i}`);
      const results = await Promise.allSettled(
        names.map((accountName) =>
          requests.addApproval('r_race', ['AWAITING_APPROVAL'], { accountName, approvedAt: now.toISOString() }, 0),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      expect((await requests.get('r_race', now))?.approvals).toHaveLength(1);
    });

    it('stores and clears an error', async () => {
      await requests.create(request('r_error'));
      const failed = await requests.transition('r_error', ['VERIFYING'], 'FAILED', {
        error: { code: 'sts_failed', message: 'STS refused.' },
      });
      expect(failed.error).toStrictEqual({ code: 'sts_failed', message: 'STS refused.' });
      const cleared = await requests.transition('r_error', ['FAILED'], 'FAILED', { error: null });
      expect(cleared.error).toBeUndefined();
    });

    it('refuses to transition a request that does not exist, without creating it', async () => {
      await expect(requests.transition('r_missing', ['VERIFYING'], 'APPROVED')).rejects.toBeInstanceOf(ConflictError);
      await expect(requests.get('r_missing', now)).resolves.toBeUndefined();
    });

    it('hides requests past expires_at (dynalite never expires items)', async () => {
      const expiresAt = Math.floor(now.getTime() / 1000) - 1;
      await requests.create(request('r_old', { expiresAt }));
      await expect(requests.get('r_old', now)).resolves.toBeUndefined();
      await expect(requests.get('r_old', new Date((expiresAt - 60) * 1000))).resolves.toMatchObject({ id: 'r_old' });
    });

    it('hides a request exactly once now is past expires_at, not at it', async () => {
      const expiresAt = Math.floor(now.getTime() / 1000) + 10;
      await requests.create(request('r_edge', { expiresAt }));
      await expect(requests.get('r_edge', new Date(expiresAt * 1000))).resolves.toMatchObject({ id: 'r_edge' });
      await expect(requests.get('r_edge', new Date(expiresAt * 1000 + 1))).resolves.toBeUndefined();
    });
  });
}
