/**
 * Issue 11's goals beside this run's figures: one table, so a reader sees in one place which hold. A figure,
 * never an assertion: a goal missed is reported, not failed.
 */
import { DYNAMODB_ALONE_LABEL, floorLabel } from './lambda-bundle.js';
import { heapDrift } from './report-load.js';
import { ms, type Results, rows } from './report-tables.js';
import { summarize } from './stats.js';

/** "300 KB" read strictly: 300,000 bytes. */
const BUNDLE_LIMIT_BYTES = 300_000;

interface Target {
  figure: string;
  before: string;
  goal: string;
  measured: string;
  met: boolean;
}

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;
const plus = (value: number): string => `+${ms(value)} ms`;

export function targets(results: Results): Target[] {
  const { cli, request } = rows(results);
  const over = (label: string) => cli.find((r) => r.label === label)?.overBaseline ?? Number.NaN;
  const { samples, baseline } = results.processes;
  const base = summarize(samples[baseline]).median;
  const coldApi = summarize(samples['import api (SDK bundled)'] ?? []).median - base;
  const bundle = (name: string) => results.bundles.find((b) => b.name === name && b.sdk === 'bundled')?.bytes ?? 0;
  const printed = request[0].summary;
  const perMinute = results.waitingCli.reads / (results.waitingCli.seconds / 60);
  const reads50 = results.load.reads.find((r) => r.connections === 50)?.result;
  const drift = heapDrift(results.load);
  const help = over('sts --help');
  const warm = over('sts get --format credential-process (warm cache)');
  return [
    {
      figure: 'approve 200 → credentials printed by a waiting `sts request` (p50 / p95)',
      before: '501 / 950 ms',
      goal: '≤ 60 / ≤ 150 ms',
      measured: `${ms(printed.median)} / ${ms(printed.p95)} ms`,
      met: printed.median <= 60 && printed.p95 <= 150,
    },
    {
      figure: 'requests from one waiting CLI per minute, embedded',
      before: 'up to ~120',
      goal: '≤ 6',
      measured: perMinute.toFixed(1),
      met: perMinute <= 6,
    },
    {
      figure: 'API bundle / cold import over `node -e 0`',
      before: '570 KB / +48 ms',
      goal: '≤ 300 KB / ≤ +30 ms',
      measured: `${kb(bundle('api'))} / ${plus(coldApi)}`,
      met: bundle('api') <= BUNDLE_LIMIT_BYTES && coldApi <= 30,
    },
    {
      figure: 'verify and mint bundles',
      before: 'not reported',
      goal: 'each ≤ 300 KB',
      measured: `${kb(bundle('verify'))}, ${kb(bundle('mint'))}`,
      met: bundle('verify') <= BUNDLE_LIMIT_BYTES && bundle('mint') <= BUNDLE_LIMIT_BYTES,
    },
    {
      figure: '`sts --help` over `node -e 0`',
      before: '+46 ms',
      goal: '≤ +30 ms',
      measured: plus(help),
      met: help <= 30,
    },
    {
      figure: 'warm credential_process over `node -e 0`',
      before: '+12 ms',
      goal: '≤ +12 ms',
      measured: plus(warm),
      met: warm <= 12,
    },
    {
      figure: 'status reads/s, 50 connections, embedded, 0 errors',
      before: '~860',
      goal: '≥ 1,500',
      measured: reads50 ? `${reads50.perSecond.toFixed(0)}, ${reads50.errors} errors` : '–',
      met: reads50 !== undefined && reads50.perSecond >= 1500 && reads50.errors === 0,
    },
    {
      figure: 'heap after full GC, 4 rounds of load',
      before: '53 → 125 MB rising',
      goal: 'flat within 10 %',
      measured: `${drift.toFixed(1)} % drift`,
      met: Math.abs(drift) <= 10,
    },
  ];
}

/** The API's SDK clients alone and DynamoDBClient alone: bytes and cold import over the baseline. */
function sdkFloors(results: Results): { api: [number, number]; dynamo: [number, number] } {
  const { samples, baseline } = results.processes;
  const over = (label: string) => summarize(samples[label] ?? []).median - summarize(samples[baseline]).median;
  const apiBytes = results.bundles.find((b) => b.name === 'api' && b.sdk === 'bundled')?.sdkFloor?.bytes ?? Number.NaN;
  return {
    api: [apiBytes, over(floorLabel('api'))],
    dynamo: [results.dynamoFloor.bytes, over(DYNAMODB_ALONE_LABEL)],
  };
}

/** What the AWS SDK alone costs, against the API bundle's goal. */
function floorParagraph(results: Results): string {
  const { api, dynamo } = sdkFloors(results);
  const oneClientOver = dynamo[1] > 30 ? 'more than' : 'within';
  return `*The API bundle's goal and the SDK's own floor.* The four AWS SDK v3 clients the API function
constructs at load (DynamoDB, KMS, Step Functions, SNS), bundled alone with the same options and no code of
ours, are ${kb(api[0])} and import in ${plus(api[1])} over \`node -e 0\`; \`DynamoDBClient\` alone, the one
client every function needs, is ${kb(dynamo[0])} and ${plus(dynamo[1])}: ${oneClientOver} the goal's +30 ms
before any code of ours (section 2, rows *SDK clients alone*).`;
}

export function targetsSection(results: Results): string {
  const lines = targets(results).map(
    (t) => `| ${t.figure} | ${t.before} | ${t.goal} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`,
  );
  return `## Goals of issue 11, in this run

| figure | before (issue 11) | goal | this run | holds |
|---|---|---|---|---|
${lines.join('\n')}

*Before* is what issue 11 measured when it was filed (its own machine load); *this run* comes from the
sections below. Bundle sizes read "KB" as 1,000 bytes. Start-up figures are medians over \`node -e 0\`
measured in the same interleaved rounds.

${floorParagraph(results)}`;
}

export function targetsTerminalLines(results: Results): string[] {
  const { api, dynamo } = sdkFloors(results);
  return [
    'Goals of issue 11',
    ...targets(results).map((t) => `  ${t.met ? 'holds' : 'MISSED'}  ${t.figure}: ${t.measured} (goal ${t.goal})`),
    `  SDK alone: the API's clients ${kb(api[0])} / ${plus(api[1])}, DynamoDBClient ${kb(dynamo[0])} / ${plus(dynamo[1])}`,
    '',
  ];
}
