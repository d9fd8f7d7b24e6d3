/**
 * Load figures on the embedded broker (issue 11 §5): status reads per second with 10 and 50 connections,
 * credentials minted per second end to end with 10 in flight, memory idle / after 1,000 requests / with 200
 * waiting, the heap after a full GC across rounds of load, and the restart with 200 requests in flight.
 * The load comes from `bench/load-client.ts` in its own process; the broker runs in this one, so its heap
 * can be collected and read. Figures only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { generateKeyPair } from '../lambdas/core/sealing.js';
import { Api } from './api-client.js';
import { type Account, type BrokerFixture, ISSUER, ROLE, startBrokerFixture } from './broker-fixture.js';
import type { ReadsResult } from './load-client.js';
import { msSince } from './stats.js';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Heap in use after two full collections (MB). */
function heapAfterGc(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed / 1e6;
}

function rssMb(): number {
  return process.memoryUsage.rss() / 1e6;
}

/** Everything `measureLoad` reports. */
export interface LoadResults {
  reads: { connections: number; result: ReadsResult }[];
  mints: { inFlight: number; count: number; seconds: number; perSecond: number; failures: number };
  memory: { idleRssMb: number; after1000RssMb: number; waiting200RssMb: number; waitingHeld: number };
  heapRounds: { round: number; perSecond: number; heapMb: number }[];
  restart: { inFlight: number; readyMs: number; closedAsFailed: number };
}

function loadClient(repoRoot: string, job: object): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', 'load-client.ts'), JSON.stringify(job)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function readsRun(repoRoot: string, url: string, connections: number, bound: object): Promise<ReadsResult> {
  const child = loadClient(repoRoot, { kind: 'reads', url, connections, ...bound });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`load client exited ${code}`);
  return JSON.parse(out.trim()) as ReadsResult;
}

/** Creates one request per pair and waits until each waits for approval; returns their ids. */
async function waitingRequests(fixture: BrokerFixture, accounts: Account[], api: Api): Promise<string[]> {
  const { publicKey } = await generateKeyPair();
  const ids: string[] = [];
  for (let i = 0; i < accounts.length; i += 10) {
    const batch = accounts.slice(i, i + 10);
    const made = await Promise.all(
      batch.map((a) =>
        api.create({ issuer: ISSUER, accountName: a.name, role: ROLE, totpCode: fixture.code(a.name), publicKey }),
      ),
    );
    for (const { id } of made) await api.waitFor(id, 'AWAITING_APPROVAL');
    ids.push(...made.map((m) => m.id));
  }
  return ids;
}

/**
 * End to end, `inFlight` at a time: create, wait (long-poll, as the CLI) for AWAITING_APPROVAL, approve, wait
 * for MINTED.
 */
async function mintRun(fixture: BrokerFixture, accounts: Account[], inFlight: number, api: Api) {
  const { publicKey } = await generateKeyPair();
  let next = 0;
  let failures = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < accounts.length) {
        const a = accounts[next++];
        const approver = a.approver as string;
        const { id } = await api.create({
          issuer: ISSUER,
          accountName: a.name,
          role: ROLE,
          totpCode: fixture.code(a.name),
          publicKey,
        });
        await api.waitFor(id, 'AWAITING_APPROVAL');
        await api.approve(id, approver, fixture.code(approver));
        const settled = await fixture.whenSettled(id);
        if (settled.status !== 'SUCCEEDED' || (await api.get(id)).status !== 'MINTED') failures++;
      }
    }),
  );
  const seconds = msSince(start) / 1000;
  return { inFlight, count: accounts.length, seconds, perSecond: accounts.length / seconds, failures };
}

/** What `measureLoad` needs: enrolled pairs for the mints and for the 200 that wait (then restart). */
export interface LoadAccounts {
  mints: Account[];
  waiting: Account[];
}

/**
 * Runs every load figure on `fixture` (whose data dir is reopened for the restart). Returns the fixture
 * to close afterwards: the restarted one.
 */
export async function measureLoad(
  repoRoot: string,
  fixture: BrokerFixture,
  accounts: LoadAccounts,
  progress: (text: string) => void,
): Promise<{ results: LoadResults; fixture: BrokerFixture }> {
  const api = new Api(fixture.endpoint);
  const [readId] = await waitingRequests(fixture, accounts.waiting.slice(0, 1), api);
  const statusUrl = `${fixture.endpoint}/v1/requests/${readId}`;

  const idleRssMb = rssMb();
  await readsRun(repoRoot, statusUrl, 10, { count: 1000 });
  const after1000RssMb = rssMb();

  progress('load: status reads, 10 and 50 connections');
  const reads = [];
  for (const connections of [10, 50]) {
    reads.push({ connections, result: await readsRun(repoRoot, statusUrl, connections, { durationMs: 5000 }) });
  }

  progress('load: heap after a full GC across 4 rounds of 50-connection reads');
  const heapRounds = [{ round: 0, perSecond: 0, heapMb: heapAfterGc() }];
  for (let round = 1; round <= 4; round++) {
    const result = await readsRun(repoRoot, statusUrl, 50, { durationMs: 3000 });
    heapRounds.push({ round, perSecond: result.perSecond, heapMb: heapAfterGc() });
  }

  progress(`load: ${accounts.mints.length} mints, 10 in flight`);
  const mints = await mintRun(fixture, accounts.mints, 10, api);

  progress('load: 200 waiting long-polls');
  const waitingIds = [readId, ...(await waitingRequests(fixture, accounts.waiting.slice(1), api))];
  const holder = loadClient(repoRoot, {
    kind: 'hold',
    urls: waitingIds.map((id) => `${fixture.endpoint}/v1/requests/${id}?wait=20&status=AWAITING_APPROVAL`),
  });
  await new Promise<void>((resolve) => holder.stdout?.once('data', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const waiting200RssMb = rssMb();
  holder.kill();

  progress(`load: restart with those ${waitingIds.length} requests in flight`);
  const inFlightIds = waitingIds;
  const { dataDir } = fixture;
  await fixture.close();
  const restartStart = process.hrtime.bigint();
  const restarted = await startBrokerFixture(dataDir);
  const readyMs = msSince(restartStart);
  const after = new Api(restarted.endpoint);
  let closedAsFailed = 0;
  for (const id of inFlightIds) if ((await after.get(id)).status === 'FAILED') closedAsFailed++;

  return {
    results: {
      reads,
      mints,
      memory: { idleRssMb, after1000RssMb, waiting200RssMb, waitingHeld: waitingIds.length },
      heapRounds,
      restart: { inFlight: inFlightIds.length, readyMs, closedAsFailed },
    },
    fixture: restarted,
  };
}
