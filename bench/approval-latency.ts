/**
 * Broker-side latency of the two-person flow on the embedded broker, one request at a time:
 * create → AWAITING_APPROVAL, and approve → MINTED. Every request uses a fresh requester/approver pair
 * (a TOTP time step is accepted once per account), so nothing waits for the 30-second clock.
 */
import { generateKeyPair, open } from '../lambdas/core/sealing.js';
import { Api, type View } from './api-client.js';
import { type Account, type BrokerFixture, ISSUER, ROLE } from './broker-fixture.js';
import { msSince } from './stats.js';

/** How the wait for MINTED is observed after the approve call. */
export type MintObservation = 'quiet' | 'polling';

/** Milliseconds per phase of one request. */
export interface ApprovalSample {
  /** POST /v1/requests, start → 202. */
  createCall: number;
  /** POST /v1/requests start → first 5 ms-poll GET showing AWAITING_APPROVAL. */
  createToAwaiting: number;
  /** POST …/approve, start → 200. */
  approveCall: number;
  /** POST …/approve start → the workflow reports the execution settled (MINTED written). */
  approveToSettled: number;
  /** polling only: POST …/approve start → first GET showing MINTED. */
  approveToMintedGet?: number;
}

/** Polling interval while waiting for a status. */
export const POLL_MS = 5;

/** `count` fresh requester/approver pairs named after `prefix`. */
export function pairs(prefix: string, count: number): Account[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(3, '0');
    return { name: `${prefix}-req-${n}`, approver: `${prefix}-apr-${n}` };
  });
}

/**
 * Runs one request per pair, sequentially. With `quiet`, nothing is polled between the approve call and
 * the settle event (the broker works alone); with `polling`, the client also polls every 5 ms, as the
 * fastest possible requester would, and the first GET that shows MINTED is timed too.
 */
export async function measureApprovals(
  fixture: BrokerFixture,
  accounts: Account[],
  observation: MintObservation,
): Promise<ApprovalSample[]> {
  const api = new Api(fixture.endpoint);
  const samples: ApprovalSample[] = [];
  for (const account of accounts) {
    if (!account.approver) throw new Error(`${account.name} has no approver`);
    const keys = await generateKeyPair();
    const totpCode = fixture.code(account.name);

    const createStart = process.hrtime.bigint();
    const created = await api.create({
      issuer: ISSUER,
      accountName: account.name,
      role: ROLE,
      totpCode,
      publicKey: keys.publicKey,
      secondaryAccountName: account.approver,
    });
    const createCall = msSince(createStart);
    const awaiting = await api.pollFor(created.id, 'AWAITING_APPROVAL', POLL_MS);

    const approverCode = fixture.code(account.approver);
    const approveStart = process.hrtime.bigint();
    await api.approve(created.id, account.approver, approverCode);
    const approveCall = msSince(approveStart);
    const sample: ApprovalSample = {
      createCall,
      createToAwaiting: msSince(createStart, awaiting.at),
      approveCall,
      approveToSettled: 0,
    };
    let mintedView: View | undefined;
    if (observation === 'polling') {
      const minted = await api.pollFor(created.id, 'MINTED', POLL_MS);
      sample.approveToMintedGet = msSince(approveStart, minted.at);
      mintedView = minted.view;
    }
    const settled = await fixture.whenSettled(created.id);
    sample.approveToSettled = msSince(approveStart, settled.at);
    // Not timed: proves each figure is for a real mint that the requester's key opens.
    const view = mintedView ?? (await api.get(created.id));
    if (settled.status !== 'SUCCEEDED' || view.status !== 'MINTED' || !view.credentials) {
      throw new Error(`request ${created.id} settled ${settled.status} with status ${view.status}`);
    }
    JSON.parse(await open(keys.privateKey, view.credentials.sealed, created.id));
    samples.push(sample);
  }
  return samples;
}
