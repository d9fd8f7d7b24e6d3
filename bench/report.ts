/** Turns the measurements into the terminal table and docs/benchmarks.md. */
import { POLL_MAX_MS, POLL_START_MS } from '../cli/request-flow/poll.js';
import { POLL_MS } from './approval-latency.js';
import { bundleSection, bundleTerminalLines } from './report-bundles.js';
import { loadLines, loadSection } from './report-load.js';
import { loads, ms, type Results, rows, tableLines, timingLines } from './report-tables.js';
import { targetsSection, targetsTerminalLines } from './report-targets.js';

export type { Results } from './report-tables.js';

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
    ...bundleTerminalLines(results),
    ...tableLines('3–4. CLI start-up, interleaved', r.cli, false),
    `   first credential_process call (cache miss, single-factor mint): ${ms(results.primeMs)} ms (one sample)`,
    '',
    ...tableLines('5. Approval → credentials printed by a waiting `sts request`', r.request, false),
    ...timingLines(results.timing, false),
    `waiting sts request: ${results.waitingCli.reads} status reads in ${results.waitingCli.seconds.toFixed(0)} s`,
    ...loadLines(results.load),
    ...targetsTerminalLines(results),
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
  const { warmup } = results.processes;
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
command costs beyond starting Node.js at all. Every timed process runs without \`NODE_EXTRA_CA_CERTS\`
(this machine sets it, and reading its CA bundle adds about 43 ms to each Node.js start). ${loadNote(results)}

${targetsSection(results)}

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

${bundleSection(results)}
## 3–4. CLI start-up and the warm credential_process call

${tableLines('', r.cli, true).join('\n')}

${results.cliBuilt} \`bin/sts.cjs\` then requires the esbuild bundle \`dist/sts.cjs\` (both CommonJS: these
processes load no ES module at all), which answers a help or version line and a warm
credential_process call itself and imports \`dist/cli.mjs\` for anything else.

- *sts --help*: \`node bin/sts.cjs --help\`: the text the build wrote to \`dist/help/\` by running the CLI
  itself on that line (\`scripts/build.mjs\`; \`test/integration/prebuilt-help.test.ts\` checks every such
  text equals what the CLI prints), so neither clipanion nor any command is loaded.
- *sts approve --help*: \`node bin/sts.cjs approve --help\`: likewise, from its own prebuilt text. A
  command line that is not only a help or version request (\`sts approve <id>\`) loads the CLI, which
  registers and parses only the commands its first word can select.
- *warm credential_process*: \`node bin/sts.cjs get --local --data-dir … --issuer … --account-name …
  --role … --format credential-process\` with the encrypted credential cache primed: it answers from the
  cache without loading the CLI or calling the broker. The cache was primed by one real call of the same
  command with \`--totp-code\` against the embedded broker (single-factor account, so it minted at once):
  that cold call took ${ms(results.primeMs)} ms (one sample, including the mint).

## 5. Approval → credentials printed by a waiting \`sts request\`

${tableLines('', r.request, true).join('\n')}

Each run starts \`node bin/sts.cjs request --local … --secondary-authorizer … --totp-code … --format json\`
as a child process; once the broker shows the request AWAITING_APPROVAL, the benchmark waits a set delay
and approves over HTTP. The figure is from the approve call's 200 to the child's stdout holding the whole
credentials JSON (the CLI's long-poll answers, it opens the sealed credentials and prints).

The delays after AWAITING_APPROVAL were ${delays.map((d) => `${(d / 1000).toFixed(1)}`).join(', ')} s:
a person approving takes seconds. The waiting CLI holds one long-poll open
(\`GET /v1/requests/{id}?wait=20&status=AWAITING_APPROVAL\`, docs/design.md), which the approval's write
wakes at once, so the figure is about the server-side mint time (section 1) plus one read and the CLI's own
work; against a broker without long-polls the CLI falls back to polling (starting at ${POLL_START_MS} ms,
growing ×1.5 to ${POLL_MAX_MS} ms).

**How often a waiting CLI calls the broker:** one \`sts request\` left waiting
${results.waitingCli.seconds.toFixed(0)} s before its approval made ${results.waitingCli.reads} status reads from the moment
the request waited to the read that returned the credentials (counted in the broker's request log, less the
benchmark's own reads before the request waited) —
${((results.waitingCli.reads * 60) / results.waitingCli.seconds).toFixed(1)} per minute.

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

${loadSection(results.load)}`;
}
