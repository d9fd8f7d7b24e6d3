/**
 * An embedded broker in this process, in a temporary data dir, with accounts enrolled straight into its
 * auth table (DynamoAuthStore + the broker's own local key), so a benchmark can spend one TOTP code per
 * account instead of waiting 30 seconds for the next time step.
 */
import * as OTPAuth from 'otpauth';
import { DynamoAuthStore } from '../lambdas/adapters/aws/dynamo-auth-store.js';
import { type EmbeddedBroker, startEmbedded } from '../lambdas/adapters/local/embedded.js';
import { createLocalCipher } from '../lambdas/adapters/local/local-cipher.js';
import { localDynamoClient } from '../lambdas/adapters/local/local-dynamo.js';
import { newEntry } from '../lambdas/core/entries.js';
import { generateOtpauthUrl } from '../lambdas/core/totp.js';

/** The issuer every benchmark account belongs to. */
export const ISSUER = 'bench';
/** The role every requester may assume (a bare name: the local minter fills in a placeholder account). */
export const ROLE = 'bench-role';

/** A requester whose approver is `approver`, or a single-factor account when `approver` is undefined. */
export interface Account {
  name: string;
  approver?: string;
}

/** A running broker plus the TOTP generators of the accounts enrolled in it. */
export interface BrokerFixture {
  broker: EmbeddedBroker;
  endpoint: string;
  dataDir: string;
  /**
   * Resolves when execution `id` settles (at once if it already has), with `process.hrtime.bigint()` at the
   * broker's log line.
   */
  whenSettled(id: string): Promise<{ at: bigint; status: string }>;
  /** How many `GET /v1/requests/{id}` the broker answered for request `id` (from its request log). */
  readsOf(id: string): number;
  /** Enrolls the accounts (requesters with their approver listed as secondary authorizer). */
  enroll(accounts: Account[]): Promise<void>;
  /** The current TOTP code of `name` (each account is meant to be used once per time step). */
  code(name: string): string;
  /** A well-formed code that matches none of `name`'s steps around now. */
  wrongCode(name: string): string;
  /** Clears `name`'s failed attempts and lock straight in the auth table (untimed bookkeeping). */
  resetAttempts(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts `startEmbedded` (local minter, port 0) in `dataDir` and returns the fixture. */
export async function startBrokerFixture(dataDir: string, approvalTimeoutSeconds = 900): Promise<BrokerFixture> {
  const settledAt = new Map<string, { at: bigint; status: string }>();
  const waiting = new Map<string, (value: { at: bigint; status: string }) => void>();
  const reads = new Map<string, number>();
  const broker = await startEmbedded({
    dataDir,
    port: 0,
    approvalTimeoutSeconds,
    minter: 'local',
    // Timestamped here, synchronously, as the workflow reports the end of an execution.
    log: (line) => {
      const entry = line as { msg?: string; requestId?: string; status?: string; method?: string; path?: string };
      if (entry.msg === 'request' && entry.method === 'GET' && entry.path?.startsWith('/v1/requests/')) {
        const id = entry.path.slice('/v1/requests/'.length);
        reads.set(id, (reads.get(id) ?? 0) + 1);
        return;
      }
      if (entry.msg !== 'execution settled' || !entry.requestId) return;
      const settled = { at: process.hrtime.bigint(), status: String(entry.status) };
      settledAt.set(entry.requestId, settled);
      waiting.get(entry.requestId)?.(settled);
      waiting.delete(entry.requestId);
    },
    print: () => {},
  });
  const { info } = broker;
  const dynamodb = localDynamoClient(info);
  const auth = new DynamoAuthStore(dynamodb, info.authTableName);
  const cipher = await createLocalCipher(info.keyFile);
  const totps = new Map<string, OTPAuth.TOTP>();

  async function enrollOne(name: string, secondaryAuthorization: string[], roles: string[]): Promise<void> {
    const url = generateOtpauthUrl(ISSUER, name);
    const totpSecret = await cipher.encrypt(url, { issuer: ISSUER, account_name: name });
    await auth.put(
      newEntry({ issuer: ISSUER, accountName: name, roles, secondaryAuthorization, totpSecret, now: new Date() }),
    );
    totps.set(name, OTPAuth.URI.parse(url) as OTPAuth.TOTP);
  }

  return {
    broker,
    endpoint: info.endpoint,
    dataDir,
    readsOf(id) {
      return reads.get(id) ?? 0;
    },
    whenSettled(id) {
      const done = settledAt.get(id);
      if (done) return Promise.resolve(done);
      return new Promise((resolve) => waiting.set(id, resolve));
    },
    async enroll(accounts) {
      // A few at a time: dynalite is in this process too, and the order of enrollment does not matter.
      const batch = 16;
      for (let i = 0; i < accounts.length; i += batch) {
        await Promise.all(
          accounts.slice(i, i + batch).flatMap((a) => {
            const writes = [enrollOne(a.name, a.approver ? [a.approver] : [], [ROLE])];
            if (a.approver) writes.push(enrollOne(a.approver, [], []));
            return writes;
          }),
        );
      }
    },
    code(name) {
      const totp = totps.get(name);
      if (!totp) throw new Error(`account ${name} is not enrolled`);
      return totp.generate();
    },
    wrongCode(name) {
      const totp = totps.get(name);
      if (!totp) throw new Error(`account ${name} is not enrolled`);
      for (let n = 0; ; n++) {
        const candidate = String((271_828 + n * 7_919) % 1_000_000).padStart(6, '0');
        if (totp.validate({ token: candidate, window: 2 }) === null) return candidate;
      }
    },
    async resetAttempts(name) {
      await auth.update(ISSUER, name, { resetCounters: true });
    },
    async close() {
      dynamodb.destroy();
      await broker.close();
    },
  };
}
