/**
 * The load generator of `bench/load.ts`, run as its own process so that its work is not the broker's:
 * `tsx bench/load-client.ts '<job JSON>'` prints one JSON result line. Loopback only, keep-alive
 * connections, a bounded loop (a duration or a count), never an open-ended flood.
 *
 * Jobs: `reads` — `connections` workers GET `url` back to back until `durationMs` or `count` requests;
 * `hold` — one GET per `urls` entry (long-polls), all left open; prints `{"held": n}` once sent and the
 * answers when they come (the parent kills it when done measuring).
 */
import { Agent, get } from 'node:http';

interface ReadsJob {
  kind: 'reads';
  url: string;
  connections: number;
  durationMs?: number;
  count?: number;
}
interface HoldJob {
  kind: 'hold';
  urls: string[];
}

/** What a `reads` job reports. */
export interface ReadsResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function once(agent: Agent, url: URL): Promise<number> {
  return new Promise((resolve) => {
    const req = get({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

async function reads(job: ReadsJob): Promise<ReadsResult> {
  const url = new URL(job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const limit = job.count ?? Number.POSITIVE_INFINITY;
  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = job.durationMs === undefined ? Number.POSITIVE_INFINITY : start + job.durationMs;
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (started < limit && performance.now() < deadline) {
        started++;
        const t = performance.now();
        const status = await once(agent, url);
        latencies.push(performance.now() - t);
        if (status !== 200) errors++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

function hold(job: HoldJob): void {
  const agent = new Agent({ keepAlive: true, maxSockets: job.urls.length });
  let answered = 0;
  for (const raw of job.urls) {
    const url = new URL(raw);
    void once(agent, url).then(() => {
      answered++;
    });
  }
  process.stdout.write(`${JSON.stringify({ held: job.urls.length })}\n`);
  setInterval(() => process.stdout.write(`${JSON.stringify({ answered })}\n`), 1000).unref();
  setInterval(() => {}, 60_000); // keep running until killed
}

const job = JSON.parse(process.argv[2] ?? '{}') as ReadsJob | HoldJob;
if (job.kind === 'reads') {
  reads(job).then((result) => process.stdout.write(`${JSON.stringify(result)}\n`));
} else if (job.kind === 'hold') {
  hold(job);
} else {
  process.stderr.write('load-client: unknown job\n');
  process.exitCode = 2;
}
