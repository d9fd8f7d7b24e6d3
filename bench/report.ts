/** Turns the measurements into the terminal table and docs/benchmarks.md. */
import { POLL_MAX_MS, POLL_START_MS } from '../cli/request-flow/poll.js';
import type { ApprovalSample } from './approval-latency.js';
import { POLL_MS } from './approval-latency.js';
import { oneSampleAccuracy, type TimingSeries } from './auth-timing.js';
import type { RequestRun } from './cli-flows.js';
import type { LambdaBundle } from './lambda-bundle.js';
import type { Machine } from './machine.js';
import type { Samples } from './process-timing.js';
import { type Summary, summarize } from './stats.js';

/** Everything one run measured. */
export interface Results {
  machine: Machine;
  /** Load averages when the measurements ended. */
  loadAtEnd: number[];
  command: string;
  startedAt: Date;
  durationSeconds: number;
  approvals: { quiet: ApprovalSample[]; polling: ApprovalSample[]; warmup: number };
  bundles: LambdaBundle[];
  processes: { samples: Samples; runs: number; warmup: number; baseline: string };
  cliBuilt: string;
  primeMs: number;
  requests: RequestRun[];
  timing: TimingSeries[];
}

/** One line of a timing table. */
interface Row {
  label: string;
  summary: Summary;
  /** Median minus the baseline's median (process start-up rows). */
  overBaseline?: number;
}

const loads = (values: number[]): string => values.map((v) => v.toFixed(2)).join(', ');

const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '–');

function rows(results: Results) {
  const { quiet, polling } = results.approvals;
  const pick = (samples: ApprovalSample[], field: keyof ApprovalSample) =>
    summarize(samples.map((s) => s[field]).filter((v): v is number => v !== undefined));
  const broker: Row[] = [
    { label: 'create → AWAITING_APPROVAL (first 5 ms poll showing it)', summary: pick(quiet, 'createToAwaiting') },
    { label: 'approve call (POST …/approve → 200)', summary: pick(quiet, 'approveCall') },
    {
      label: 'approve → MINTED, server-side (execution settled; no polling)',
      summary: pick(quiet, 'approveToSettled'),
    },
    { label: 'approve → first GET showing MINTED (polling every 5 ms)', summary: pick(polling, 'approveToMintedGet') },
  ];
  const { samples, baseline } = results.processes;
  const base = summarize(samples[baseline]).median;
  const proc = (label: string): Row => {
    const summary = summarize(samples[label]);
    return { label, summary, overBaseline: label === baseline ? undefined : summary.median - base };
  };
  const bundleLabels = Object.keys(samples).filter((l) => l.startsWith('import API bundle'));
  const lambda: Row[] = [proc(baseline), ...bundleLabels.map(proc)];
  const cli: Row[] = [proc(baseline), proc('sts --help'), proc('sts get --format credential-process (warm cache)')];
  const request: Row[] = [
    {
      label: 'approve 200 → credentials on the waiting `sts request` stdout',
      summary: summarize(results.requests.map((r) => r.approvedToPrinted)),
    },
  ];
  return { broker, lambda, cli, request };
}

function tableLines(title: string, list: Row[], markdown: boolean): string[] {
  const withBase = list.some((r) => r.overBaseline !== undefined);
  const head = ['', 'n', 'median ms', 'p95 ms', 'min ms', 'max ms', ...(withBase ? ['median − baseline'] : [])];
  const body = list.map((r) => [
    r.label,
    String(r.summary.n),
    ms(r.summary.median),
    ms(r.summary.p95),
    ms(r.summary.min),
    ms(r.summary.max),
    ...(withBase ? [r.overBaseline === undefined ? '' : `+${ms(r.overBaseline)}`] : []),
  ]);
  if (markdown) {
    return [
      `| ${head.join(' | ')} |`,
      `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
      ...body.map((cells) => `| ${cells.join(' | ')} |`),
    ];
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [title, line(head.map((h, i) => (i === 0 ? '' : h))), ...body.map(line), ''];
}

function kib(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} B (${(bytes / 1024).toFixed(1)} KiB)`;
}

function bundleLines(bundles: LambdaBundle[], markdown: boolean): string[] {
  if (markdown) {
    return [
      '| AWS SDK | index.mjs | gzip -9 | source map | esbuild time |',
      '|---|---:|---:|---:|---:|',
      ...bundles.map(
        (b) => `| ${b.sdk} | ${kib(b.bytes)} | ${kib(b.gzipBytes)} | ${kib(b.mapBytes)} | ${ms(b.buildMs)} ms |`,
      ),
    ];
  }
  return [
    'API Lambda bundle (esbuild, as the CDK construct builds it)',
    ...bundles.map(
      (b) =>
        `  SDK ${b.sdk.padEnd(8)}  index.mjs ${kib(b.bytes)}, gzip ${kib(b.gzipBytes)}, map ${kib(b.mapBytes)}, built in ${ms(b.buildMs)} ms`,
    ),
    '',
  ];
}

/** Known vs unknown account, per path: medians, their difference, and how well one sample tells them apart. */
function timingLines(series: TimingSeries[], markdown: boolean): string[] {
  const head = [
    'path',
    'n each',
    'known, wrong code: median ms',
    'unknown: median ms',
    'difference ms',
    'one-sample accuracy',
  ];
  const body = series.map((s) => {
    const known = summarize(s.known).median;
    const unknown = summarize(s.unknown).median;
    return [
      s.path,
      String(Math.min(s.known.length, s.unknown.length)),
      ms(known),
      ms(unknown),
      (known - unknown).toFixed(2),
      `${(oneSampleAccuracy(s.known, s.unknown) * 100).toFixed(0)} %`,
    ];
  });
  if (markdown) {
    return [
      `| ${head.join(' | ')} |`,
      `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
      ...body.map((cells) => `| ${cells.join(' | ')} |`),
    ];
  }
  return [
    '6. Refusal timing: known account with a wrong code vs unknown account',
    ...body.map((c) => `  ${c.join('  ')}`),
    '',
  ];
}

/** The table printed at the end of `npm run bench`. */
export function terminalReport(results: Results): string {
  const r = rows(results);
  return [
    `stsftw benchmarks — ${results.machine.cpuModel}, ${results.machine.cores} cores, Node ${results.machine.node}`,
    '',
    ...tableLines(
      `1. Embedded broker, one request at a time (${r.broker[0].summary.n} + ${r.broker[3].summary.n} requests)`,
      r.broker,
      false,
    ),
    ...bundleLines(results.bundles, false),
    ...tableLines('2. API Lambda cold load (module init), interleaved', r.lambda, false),
    ...tableLines('3–4. CLI start-up, interleaved', r.cli, false),
    `   first credential_process call (cache miss, single-factor mint): ${ms(results.primeMs)} ms (one sample)`,
    '',
    ...tableLines('5. Approval → credentials printed by a waiting `sts request`', r.request, false),
    ...timingLines(results.timing, false),
    `Total ${results.durationSeconds.toFixed(0)} s.`,
  ].join('\n');
}

/** How far to trust the figures, from the load average around the run. */
function loadNote(results: Results): string {
  const cores = results.machine.cores;
  const peak = Math.max(results.machine.loadAtStart[0], results.loadAtEnd[0]);
  if (peak <= cores) {
    return 'The machine had no other heavy work (1-minute load at most the core count); treat differences of a few milliseconds as noise.';
  }
  return `**Other work shared the machine** (1-minute load up to ${peak.toFixed(1)} on ${cores} cores): absolute figures are inflated and noisy; the interleaved comparisons against the baseline hold up better. Rerun on an idle machine for clean numbers.`;
}

/** docs/benchmarks.md. */
export function markdownReport(results: Results): string {
  const r = rows(results);
  const m = results.machine;
  const { runs, warmup } = results.processes;
  const delays = results.requests.map((x) => x.approvedAfter);
  return `# Benchmarks

Figures, not assertions: nothing here fails a build. This page is written by \`${results.command}\`
(\`bench/run.ts\`); rerun it rather than editing the numbers by hand.

| | |
|---|---|
| command | \`${results.command}\` |
| date | ${results.startedAt.toISOString()} |
| commit | ${m.commit} |
| Node.js | ${m.node} |
| CPU | ${m.cpuModel}, ${m.cores} cores |
| OS, memory | ${m.os}, ${m.memoryGiB} GiB |
| esbuild | ${m.esbuild} |
| load average (1, 5, 15 min) | ${loads(m.loadAtStart)} at start, ${loads(results.loadAtEnd)} at end |
| total run time | ${results.durationSeconds.toFixed(0)} s |

Times are wall-clock, from \`process.hrtime.bigint()\`. Medians and nearest-rank p95 (the value of an actual
run). Process start-up figures come from interleaved rounds: every round runs each command once, in an
order that rotates between rounds, after ${warmup} untimed warm-up rounds; "median − baseline" is what the
command costs beyond starting Node.js at all. ${loadNote(results)}

## 1. Embedded broker: create → AWAITING_APPROVAL, approve → MINTED

${tableLines('', r.broker, true).join('\n')}

How: \`startEmbedded\` (dynalite, the local state-machine runner, local minter) runs **in the benchmark's
process**, in a temporary data dir. ${results.approvals.warmup} untimed warm-up requests, then two passes
of one request at a time, each request with a fresh requester/approver pair enrolled directly in the auth
table (\`DynamoAuthStore\`, the broker's local key, \`generateOtpauthUrl\`; codes from \`otpauth\`), because
a TOTP time step is accepted only once per account. Each request creates with the requester's code, waits
for AWAITING_APPROVAL, approves with the approver's code, then checks the view is MINTED and that the
sealed credentials open with the request's private key (not timed).

- *create → AWAITING_APPROVAL*: from the start of \`POST /v1/requests\` to the first
  \`GET /v1/requests/{id}\` (sent every ${POLL_MS} ms) that shows AWAITING_APPROVAL: the create call, starting
  the execution, *Verify Requester* (TOTP check with the secret decrypted) and *Await Approval* storing the
  task token. Resolution is one poll (${POLL_MS} ms plus one GET).
- *approve call*: the approver's \`POST …/approve\` until its 200: approver TOTP check, the conditional
  AWAITING_APPROVAL → APPROVED transition, and the task token's success.
- *approve → MINTED, server-side*: from the start of the approve call to the moment the local workflow
  reports the execution settled, i.e. after *Mint Credentials* (local minter + HPKE seal), *Publish Audit*
  (audit log append) and *Release Credentials* (the MINTED write). Observed through the broker's
  \`log\` hook, timestamped in the same process; nothing polls during this pass.
- *approve → first GET showing MINTED*: the second pass, where the client polls every ${POLL_MS} ms after the
  approve call, as the fastest possible requester would. It includes the polling's own load on the broker
  (same process) and up to one poll interval of resolution.

On AWS the same steps are Lambda invocations and Step Functions transitions; these figures are the
broker's own work on one machine, not a prediction of AWS latency.

## 2. The API Lambda bundle

${bundleLines(results.bundles, true).join('\n')}

Built with esbuild from \`lambdas/handlers/api.ts\` with the options \`infra/constructs/functions.ts\`
gives \`NodejsFunction\`: platform node, target node22, ESM (\`index.mjs\`), \`mainFields\` module,main,
minified, \`keepNames\`, source map without sources content, the \`createRequire\` banner.
*bundled* is what the construct deploys (\`bundleAwsSDK: true\`); *external* leaves \`@aws-sdk/*\` and
\`@smithy/*\` out, as CDK does by default, relying on the SDK v3 in the Node.js 22 runtime. gzip -9 of
\`index.mjs\` approximates what it adds to the deployment zip; the source map is uploaded too.

Cold load, ${runs} interleaved rounds:

${tableLines('', r.lambda, true).join('\n')}

Each run is \`node -e "import('file:///…/index.mjs').then(m => …handler is a function…)"\` with the
configuration \`core/config.ts\` validates set to well-formed dummies (table names, ARNs, key alias,
region), so module init runs to the end: configuration, SDK clients, the Hono app. No AWS call is made.
For *external*, the SDK is loaded from this project's \`node_modules\` (linked next to the bundle), standing
in for the runtime's copy. Measured on Node ${m.node} on this machine, not on Lambda's Node.js 22 on
ARM64; the Lambda init phase adds the runtime's own start-up and reading the code from its package.

## 3–4. CLI start-up and the warm credential_process call

${tableLines('', r.cli, true).join('\n')}

${results.cliBuilt} \`bin/sts.mjs\` then imports the esbuild bundle \`dist/sts.mjs\`.

- *sts --help*: \`node bin/sts.mjs --help\` (the full clipanion CLI is loaded).
- *warm credential_process*: \`node bin/sts.mjs get --local --data-dir … --issuer … --account-name …
  --role … --format credential-process\` with the encrypted credential cache primed: it answers from the
  cache without loading the CLI or calling the broker. The cache was primed by one real call of the same
  command with \`--totp-code\` against the embedded broker (single-factor account, so it minted at once):
  that cold call took ${ms(results.primeMs)} ms (one sample, including the mint).

## 5. Approval → credentials printed by a waiting \`sts request\`

${tableLines('', r.request, true).join('\n')}

Each run starts \`node bin/sts.mjs request --local … --secondary-authorizer … --totp-code … --format json\`
as a child process; once the broker shows the request AWAITING_APPROVAL, the benchmark waits a set delay
and approves over HTTP. The figure is from the approve call's 200 to the child's stdout holding the whole
credentials JSON (the CLI polls, opens the sealed credentials and prints).

The delays after AWAITING_APPROVAL were ${delays.map((d) => `${(d / 1000).toFixed(1)}`).join(', ')} s:
a person approving takes seconds, by which time the CLI's polling (starting at ${POLL_START_MS} ms, growing
×1.5 to ${POLL_MAX_MS} ms, reset on each status change) has reached ${POLL_MAX_MS} ms, and the spread of the
delays samples where in that interval the approval lands. So the figure is about the server-side mint
time (section 1) plus on average half a polling interval, up to a whole one.

## 6. Refusal timing: does the answer's time tell a known account from an unknown one?

${timingLines(results.timing, true).join('\n')}

For each path a code enters by, the benchmark alternates (order swapped every round, after untimed
warm-ups) a wrong code for an enrolled account and a code for an account that does not exist, on the
same broker: *approve* (\`POST …/approve\` until its 401), *create* (\`POST /v1/requests\` until the
execution settles REJECTED, seen through the broker's log hook, which is what an attacker polling the
request would learn at best) and *POST /* (STSFTW 1.0's call until its 401; it polls the request itself,
first after 100 ms, which quantises both series alike). The known account's failed attempts are cleared
between samples, untimed, so the lockout never kicks in. *One-sample accuracy* is the best a single
threshold on one measured time does at telling the two kinds apart, balanced over both (50 % is a coin
toss). Both kinds do the same work by design (docs/design.md, "§6 timing"): the conditional claim write,
one decryption through the same cipher (a decoy secret for an unknown account) and the TOTP check.
`;
}
