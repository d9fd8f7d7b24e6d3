/**
 * The lockout under a burst of parallel guesses, through the real DynamoDB adapter on dynalite (whose
 * conditional writes are what hold the line) and the real AES-GCM cipher: however many wrong codes arrive at
 * once, at most MAX_FAILURES of them are checked in a lock window, the right code among them or after them is
 * refused, and the lock is audited once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuthStore } from '../../lambdas/adapters/aws/dynamo-auth-store.js';
import { ensureTables } from '../../lambdas/adapters/aws/tables.js';
import { createLocalCipher } from '../../lambdas/adapters/local/local-cipher.js';
import { createAuthenticator, MAX_FAILURES } from '../../lambdas/core/authenticator.js';
import { InvalidCredentialsError, LockedOutError } from '../../lambdas/core/errors.js';
import type { SecretCipher } from '../../lambdas/core/ports.js';
import { generateOtpauthUrl } from '../../lambdas/core/totp.js';
import type { AuditEvent } from '../../lambdas/core/types.js';
import { totpCode } from '../support/memory.js';
import { startTcpDynalite, type TcpDynalite } from '../support/tcp-dynalite.js';

const names = { authTableName: 'stsftw-auth', requestsTableName: 'stsftw-requests' };
const ISSUER = 'acme';
const BURST = 150;
let db: TcpDynalite;
let client: DynamoDBClient;
let dir: string;

beforeAll(async () => {
  db = await startTcpDynalite();
  client = db.client;
  await ensureTables(client, names, { pollIntervalMs: 10 });
  dir = await mkdtemp(join(tmpdir(), 'stsftw-lockout-'));
});

afterAll(async () => {
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** An enrolled account, and an authenticator whose cipher counts the checks of that account's codes. */
async function setup(accountName: string) {
  const auth = new DynamoAuthStore(client, names.authTableName);
  const local = await createLocalCipher(join(dir, 'local.key'));
  const checks = { count: 0 };
  const cipher: SecretCipher = {
    encrypt: (plaintext, context) => local.encrypt(plaintext, context),
    decrypt: (ciphertext, context) => {
      if (context.account_name === accountName) checks.count++;
      return local.decrypt(ciphertext, context);
    },
  };
  const url = generateOtpauthUrl(ISSUER, accountName);
  const at = new Date().toISOString();
  await auth.put({
    issuer: ISSUER,
    accountName,
    roles: ['admin'],
    secondaryAuthorization: [],
    totpSecret: await local.encrypt(url, { issuer: ISSUER, account_name: accountName }),
    createdAt: at,
    updatedAt: at,
  });
  const events: AuditEvent[] = [];
  const audit = { publish: async (event: AuditEvent) => void events.push(event) };
  const authenticator = createAuthenticator({ auth, cipher, audit, clock: { now: () => new Date() } });
  const right = () => totpCode(url, new Date());
  /** Well-formed codes none of which is valid around now. */
  const wrong = (n: number) => {
    const valid = new Set([-2, -1, 0, 1, 2].map((offset) => totpCode(url, new Date(), offset)));
    const codes: string[] = [];
    for (let i = 0; codes.length < n; i++) {
      const code = String((100_003 + i * 7_919) % 1_000_000).padStart(6, '0');
      if (!valid.has(code)) codes.push(code);
    }
    return codes;
  };
  return { auth, authenticator, checks, events, right, wrong };
}

describe('lockout under a burst of parallel guesses (DynamoDB adapter on dynalite)', () => {
  it(`checks at most ${MAX_FAILURES} of ${BURST} parallel wrong codes, refuses the right one, and locks once`, async () => {
    const t = await setup('alice');
    const burst = [...t.wrong(BURST), t.right()];
    const results = await Promise.allSettled(burst.map((code) => t.authenticator.authenticate(ISSUER, 'alice', code)));

    expect(t.checks.count).toBeLessThanOrEqual(MAX_FAILURES);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : undefined));
    expect(reasons.every((e) => e instanceof InvalidCredentialsError || e instanceof LockedOutError)).toBe(true);
    expect(t.events.filter((e) => e.type === 'account.locked')).toHaveLength(1);

    // Then the right code is refused too, without being checked.
    const before = t.checks.count;
    await expect(t.authenticator.authenticate(ISSUER, 'alice', t.right())).rejects.toBeInstanceOf(LockedOutError);
    expect(t.checks.count).toBe(before);
    expect(Date.parse((await t.auth.get(ISSUER, 'alice'))?.lockedUntil ?? '')).toBeGreaterThan(Date.now());
  });

  it('lets the right code through a burst that stays under the limit, without a lock', async () => {
    const t = await setup('bob');
    const burst = [...t.wrong(MAX_FAILURES - 2), t.right()];
    const results = await Promise.allSettled(burst.map((code) => t.authenticator.authenticate(ISSUER, 'bob', code)));
    expect(results.at(-1)?.status).toBe('fulfilled');
    expect(t.events).toEqual([]);
    const entry = await t.auth.get(ISSUER, 'bob');
    expect(entry?.lockedUntil).toBeUndefined();
  });
});
