/** The load section of the benchmark report (bench/load.ts): markdown for docs/benchmarks.md, lines for the terminal. */
import type { LoadResults } from './load.js';

const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);

/** Heap growth from the first load round to the last, in percent of the first. */
export function heapDrift(load: LoadResults): number {
  const rounds = load.heapRounds.filter((r) => r.round > 0);
  const first = rounds[0]?.heapMb ?? Number.NaN;
  const last = rounds.at(-1)?.heapMb ?? Number.NaN;
  return ((last - first) / first) * 100;
}

/** The markdown section. */
export function loadSection(load: LoadResults): string {
  const reads = load.reads
    .map(
      ({ connections, result: r }) =>
        `| ${connections} | ${f0(r.perSecond)} | ${f1(r.p50Ms)} | ${f1(r.p99Ms)} | ${r.errors} | ${r.requests} in ${f1(r.seconds)} s |`,
    )
    .join('\n');
  const heap = load.heapRounds
    .map(
      (r) =>
        `| ${r.round === 0 ? 'before load' : r.round} | ${r.round === 0 ? '—' : f0(r.perSecond)} | ${f1(r.heapMb)} |`,
    )
    .join('\n');
  const { mints, memory, restart } = load;
  return `## 7. Load on the embedded broker

The broker runs in the benchmark's process (so its heap can be collected and read), its dynalite in a worker
thread of that process, as \`sts server\` runs them; the load comes from
\`bench/load-client.ts\` in a process of its own: keep-alive connections on loopback, each GET sent as soon as
the previous answer on its connection arrived, for a fixed time. Reads are \`GET /v1/requests/{id}\` of a
request waiting for approval (the call a waiting CLI makes).

| connections | reads/s | p50 ms | p99 ms | errors | sample |
|---|---|---|---|---|---|
${reads}

**Mints end to end**, ${mints.inFlight} in flight: create → AWAITING_APPROVAL (long-polls, as the CLI waits) → approve → the execution
settles MINTED: ${mints.count} in ${f1(mints.seconds)} s = **${f1(mints.perSecond)} credentials/s**, ${mints.failures} not minted.

**Memory** (RSS of the process hosting the broker, dynalite's thread included): idle ${f0(memory.idleRssMb)} MB, after 1,000 status reads
${f0(memory.after1000RssMb)} MB, with ${memory.waitingHeld} long-polls waiting (\`?wait=20&status=AWAITING_APPROVAL\`)
${f0(memory.waiting200RssMb)} MB.

**Heap in use after a full GC** (two \`gc()\` calls; the broker's own heap, not dynalite's thread's) before and after each 3-second round of 50-connection reads —
drift from round 1 to round 4: ${f1(heapDrift(load))} %.

| round | reads/s | heap MB |
|---|---|---|
${heap}

**Restart** with ${restart.inFlight} requests waiting for approval: stop, start on the same data dir — ready to serve
after ${f0(restart.readyMs)} ms, with ${restart.closedAsFailed} of ${restart.inFlight} closed as FAILED (\`broker_restarted\`).
`;
}

/** The terminal lines. */
export function loadLines(load: LoadResults): string[] {
  return [
    ...load.reads.map(
      ({ connections, result: r }) =>
        `status reads, ${connections} connections: ${f0(r.perSecond)}/s, p50 ${f1(r.p50Ms)} ms, p99 ${f1(r.p99Ms)} ms, ${r.errors} errors`,
    ),
    `mints end to end, ${load.mints.inFlight} in flight: ${f1(load.mints.perSecond)}/s (${load.mints.failures} failed)`,
    `RSS idle / after 1,000 reads / ${load.memory.waitingHeld} waiting: ${f0(load.memory.idleRssMb)} / ${f0(load.memory.after1000RssMb)} / ${f0(load.memory.waiting200RssMb)} MB`,
    `heap after full GC, rounds: ${load.heapRounds.map((r) => f1(r.heapMb)).join(' → ')} MB (drift ${f1(heapDrift(load))} %)`,
    `restart with ${load.restart.inFlight} waiting: ready in ${f0(load.restart.readyMs)} ms`,
  ];
}
