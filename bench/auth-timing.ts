/**
 * Does the time of a refusal tell a known account from an unknown one? For each path a code enters by —
 * approve, create (until the execution settles REJECTED) and STSFTW 1.0's `POST /` — alternate a known
 * account with a wrong code and an unknown account, and compare the two series. Between samples the known
 * account's failed attempts are cleared (untimed), so the lockout never changes what is measured.
 */
import { generateKeyPair } from '../lambdas/core/sealing.js';
import { Api } from './api-client.js';
import { type BrokerFixture, ISSUER, ROLE } from './broker-fixture.js';
import { msSince } from './stats.js';

/** The paths measured. */
export const timingPaths = ['approve', 'create', 'POST /'] as const;
export type TimingPath = (typeof timingPaths)[number];

/** Milliseconds per refusal, for the known and the unknown account. */
export interface TimingSeries {
  path: TimingPath;
  known: number[];
  unknown: number[];
}

/** The known account (enrolled, never given its right code) and the requester whose request is decided. */
export const TIMING_KNOWN = 'timing-known';
export const TIMING_REQUESTER = 'timing-req';
const TIMING_APPROVER = 'timing-apr';

/** Enrolls what {@link measureAuthTiming} needs. */
export async function enrollTimingAccounts(fixture: BrokerFixture): Promise<void> {
  await fixture.enroll([{ name: TIMING_REQUESTER, approver: TIMING_APPROVER }, { name: TIMING_KNOWN }]);
}

async function send(url: string, body: unknown): Promise<{ status: number; json: { id?: string } }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: { id?: string } = {};
  try {
    json = JSON.parse(text) as { id?: string };
  } catch {
    // POST / may answer refusals in plain text.
  }
  return { status: res.status, json };
}

/**
 * `samples` refusals per account kind and path, interleaved (the order of known/unknown alternates every
 * round, so drift in the machine's speed falls on both alike).
 */
export async function measureAuthTiming(fixture: BrokerFixture, samples: number): Promise<TimingSeries[]> {
  const api = new Api(fixture.endpoint);
  const { publicKey } = await generateKeyPair();
  const created = await api.create({
    issuer: ISSUER,
    accountName: TIMING_REQUESTER,
    role: ROLE,
    totpCode: fixture.code(TIMING_REQUESTER),
    publicKey,
  });
  await api.pollFor(created.id, 'AWAITING_APPROVAL', 5);

  const attempts: Record<TimingPath, (account: string, code: string) => Promise<number>> = {
    async approve(account, code) {
      const start = process.hrtime.bigint();
      const { status } = await send(`${fixture.endpoint}/v1/requests/${created.id}/approve`, {
        accountName: account,
        totpCode: code,
      });
      const ms = msSince(start);
      if (status !== 401) throw new Error(`approve by ${account} answered ${status}, not 401`);
      return ms;
    },
    async create(account, code) {
      const start = process.hrtime.bigint();
      const { status, json } = await send(`${fixture.endpoint}/v1/requests`, {
        issuer: ISSUER,
        accountName: account,
        role: ROLE,
        totpCode: code,
        publicKey,
      });
      if (status !== 202 || !json.id) throw new Error(`create for ${account} answered ${status}`);
      const settled = await fixture.whenSettled(json.id);
      const view = await api.get(json.id);
      if (view.status !== 'REJECTED') throw new Error(`create for ${account} ended ${view.status}`);
      return msSince(start, settled.at);
    },
    async 'POST /'(account, code) {
      const start = process.hrtime.bigint();
      const { status } = await send(`${fixture.endpoint}/`, {
        Issuer: ISSUER,
        AccountName: account,
        TOTPCode: code,
        Role: ROLE,
        SecondaryAccountName: '',
        SecondaryTOTPCode: '',
      });
      const ms = msSince(start);
      if (status !== 401) throw new Error(`POST / for ${account} answered ${status}, not 401`);
      return ms;
    },
  };

  const results: TimingSeries[] = [];
  for (const path of timingPaths) {
    const series: TimingSeries = { path, known: [], unknown: [] };
    const known = async () => {
      series.known.push(await attempts[path](TIMING_KNOWN, fixture.wrongCode(TIMING_KNOWN)));
      await fixture.resetAttempts(TIMING_KNOWN);
    };
    const unknown = async (i: number) => {
      series.unknown.push(await attempts[path](`timing-ghost-${i}`, fixture.wrongCode(TIMING_KNOWN)));
    };
    // Untimed warm-up of both code paths.
    for (let i = 0; i < 5; i++) {
      await attempts[path](TIMING_KNOWN, fixture.wrongCode(TIMING_KNOWN));
      await fixture.resetAttempts(TIMING_KNOWN);
      await attempts[path](`timing-ghost-w${i}`, '000000');
    }
    for (let i = 0; i < samples; i++) {
      if (i % 2 === 0) {
        await known();
        await unknown(i);
      } else {
        await unknown(i);
        await known();
      }
    }
    results.push(series);
  }
  return results;
}

/**
 * How well one sample tells the two apart: the best accuracy of a single threshold (either direction),
 * over the pooled samples. 50 % is a coin toss.
 */
export function oneSampleAccuracy(a: readonly number[], b: readonly number[]): number {
  const points = [...a.map((v) => ({ v, a: 1 })), ...b.map((v) => ({ v, a: 0 }))].sort((x, y) => x.v - y.v);
  let best = 0.5;
  let aBelow = 0;
  let bBelow = 0;
  for (const p of points) {
    if (p.a) aBelow++;
    else bBelow++;
    // Threshold just above p.v: "below → a" versus "below → b", balanced over both classes.
    const belowIsA = (aBelow / a.length + (b.length - bBelow) / b.length) / 2;
    best = Math.max(best, belowIsA, 1 - belowIsA);
  }
  return best;
}
