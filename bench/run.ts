/**
 * `npm run bench`: one run measures the broker's approval latency, the Lambda bundles, CLI start-up,
 * the warm credential_process call and approval → credentials for a waiting `sts request`, prints a table
 * and writes docs/benchmarks.md. Figures only: nothing is asserted about them.
 *
 * Options: --runs N (process start-up rounds, default 30), --requests N (per broker pass, default 100),
 * --cli-requests N (default 10), --timing-samples N (refusals per account kind and path, default 250),
 * --rebuild (always rebuild dist/), --no-write (print only).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureApprovals, pairs } from './approval-latency.js';
import { enrollTimingAccounts, measureAuthTiming } from './auth-timing.js';
import { startBrokerFixture } from './broker-fixture.js';
import { ensureCliBuilt } from './cli-build.js';
import {
  baselineSubject,
  cliEnv,
  commandHelpSubject,
  helpSubject,
  measureRequestToCredentials,
  primeCredentialProcess,
  warmCredentialProcessSubject,
} from './cli-flows.js';
import {
  buildLambdaBundle,
  buildSdkFloor,
  coldLoadSubject,
  DYNAMODB_ALONE,
  DYNAMODB_ALONE_LABEL,
  floorLabel,
  importSubject,
} from './lambda-bundle.js';
import { measureLoad } from './load.js';
import { describeMachine } from './machine.js';
import { timeInterleaved } from './process-timing.js';
import { markdownReport, type Results, terminalReport } from './report.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const WARMUP_REQUESTS = 5;
const PROCESS_WARMUP_ROUNDS = 2;
/** First approval this long after AWAITING_APPROVAL: the CLI's polling has slowed to its steady pace. */
const FIRST_APPROVAL_DELAY_MS = 3000;
const SOLO = 'solo';
/** How long one `sts request` is left waiting before its approval, to count its reads. */
const WAITING_CLI_MS = 60_000;
const LOAD_MINTS = 200;
const LOAD_WAITING = 200;

function count(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);
  return n;
}

function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      requests: { type: 'string' },
      'cli-requests': { type: 'string' },
      'timing-samples': { type: 'string' },
      rebuild: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const runs = count(values.runs, 30, 'runs');
  const requests = count(values.requests, 100, 'requests');
  const cliRequests = count(values['cli-requests'], 10, 'cli-requests');
  const timingSamples = count(values['timing-samples'], 250, 'timing-samples');
  const argv = process.argv.slice(2);
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const startedAt = new Date();
  const started = performance.now();
  const machine = describeMachine(repoRoot);
  if (machine.loadAtStart[0] > machine.cores) {
    progress(
      `the 1-minute load average is ${machine.loadAtStart[0].toFixed(1)} on ${machine.cores} cores: expect inflated figures`,
    );
  }
  const work = mkdtempSync(join(tmpdir(), 'stsftw-bench-'));
  let fixture: Awaited<ReturnType<typeof startBrokerFixture>> | undefined;
  try {
    progress('building the CLI bundle if stale, and the Lambda bundles');
    const cliBuilt = ensureCliBuilt(repoRoot, values.rebuild);
    const lambdaDir = join(work, 'lambda');
    const bundles = [
      await buildLambdaBundle(repoRoot, lambdaDir, 'api'),
      await buildLambdaBundle(repoRoot, lambdaDir, 'verify'),
      await buildLambdaBundle(repoRoot, lambdaDir, 'mint'),
      await buildLambdaBundle(repoRoot, lambdaDir, 'api', 'external'),
    ];
    const dynamoFloor = await buildSdkFloor(repoRoot, 'api', DYNAMODB_ALONE, join(lambdaDir, 'dynamodb-alone.mjs'));

    progress('starting the embedded broker and enrolling accounts');
    fixture = await startBrokerFixture(join(work, 'data'));
    const warm = pairs('warm', WARMUP_REQUESTS);
    const quiet = pairs('quiet', requests);
    const polled = pairs('poll', requests);
    const viaCli = pairs('cli', cliRequests);
    const idleCli = pairs('idle', 1);
    const loadAccounts = { mints: pairs('lmint', LOAD_MINTS), waiting: pairs('lwait', LOAD_WAITING) };
    await fixture.enroll([
      ...warm,
      ...quiet,
      ...polled,
      ...viaCli,
      ...idleCli,
      ...loadAccounts.mints,
      ...loadAccounts.waiting,
      { name: SOLO },
    ]);

    progress(`approvals: ${WARMUP_REQUESTS} warm-up, ${requests} quiet, ${requests} polled`);
    await measureApprovals(fixture, warm, 'quiet');
    const quietSamples = await measureApprovals(fixture, quiet, 'quiet');
    const polledSamples = await measureApprovals(fixture, polled, 'polling');

    progress(`refusal timing, known vs unknown account: ${timingSamples} each per path`);
    await enrollTimingAccounts(fixture);
    const timing = await measureAuthTiming(fixture, timingSamples);

    progress('priming the credential_process cache');
    const env = cliEnv(join(work, 'home'));
    const primeMs = await primeCredentialProcess(fixture, repoRoot, SOLO, env);

    progress(`process start-up: ${runs} interleaved rounds`);
    const baseline = baselineSubject(env);
    const samples = timeInterleaved(
      [
        baseline,
        helpSubject(repoRoot, env),
        commandHelpSubject(repoRoot, env),
        warmCredentialProcessSubject(repoRoot, fixture.dataDir, SOLO, env),
        ...bundles.map((b) => coldLoadSubject(b, env)),
        // The SDK's own floor: each function's clients constructed with no code of ours, and one client alone.
        ...bundles.flatMap((b) => (b.sdkFloor ? [importSubject(floorLabel(b.name), b.sdkFloor.file, env)] : [])),
        importSubject(DYNAMODB_ALONE_LABEL, dynamoFloor.file, env),
        // What NODE_OPTIONS=--enable-source-maps would add to each deployed function's cold start.
        ...bundles.filter((b) => b.sdk === 'bundled').map((b) => coldLoadSubject(b, env, true)),
      ],
      runs,
      PROCESS_WARMUP_ROUNDS,
    );

    progress(`sts request → credentials: ${cliRequests} requests`);
    const delays = viaCli.map((_, i) => FIRST_APPROVAL_DELAY_MS + Math.round((i * 1000) / cliRequests));
    const requestRuns = await measureRequestToCredentials(fixture, repoRoot, viaCli, delays, env);

    progress(`one sts request left waiting ${WAITING_CLI_MS / 1000} s: how often it reads the request`);
    let readsBefore = 0;
    const idleFixture = fixture;
    const [idleRun] = await measureRequestToCredentials(fixture, repoRoot, idleCli, [WAITING_CLI_MS], env, (id) => {
      readsBefore = idleFixture.readsOf(id);
    });
    // The CLI's reads while it waited, and the one that brought the credentials (not the benchmark's own polls).
    const waitingCli = { seconds: idleRun.approvedAfter / 1000, reads: fixture.readsOf(idleRun.id) - readsBefore };

    const loaded = await measureLoad(repoRoot, fixture, loadAccounts, progress);
    fixture = loaded.fixture;

    const results: Results = {
      machine,
      loadAtEnd: loadavg(),
      command,
      startedAt,
      durationSeconds: (performance.now() - started) / 1000,
      approvals: { quiet: quietSamples, polling: polledSamples, warmup: WARMUP_REQUESTS },
      bundles,
      dynamoFloor,
      processes: { samples, runs, warmup: PROCESS_WARMUP_ROUNDS, baseline: baseline.label },
      cliBuilt,
      primeMs,
      requests: requestRuns,
      timing,
      waitingCli,
      load: loaded.results,
    };
    process.stdout.write(`\n${terminalReport(results)}\n`);
    if (!values['no-write']) {
      const out = join(repoRoot, 'docs', 'benchmarks.md');
      writeFileSync(out, markdownReport(results));
      progress(`wrote ${out}`);
    }
  } finally {
    await fixture?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
