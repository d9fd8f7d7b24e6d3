/** The tables of a benchmark run, for the terminal and for docs/benchmarks.md alike. */

import type { ApprovalSample } from './approval-latency.js';
import { oneSampleAccuracy, type TimingSeries } from './auth-timing.js';
import type { RequestRun } from './cli-flows.js';
import type { LambdaBundle, SdkFloor } from './lambda-bundle.js';
import type { LoadResults } from './load.js';
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
  /** DynamoDBClient alone, bundled with the same options: the least any function pays for the SDK. */
  dynamoFloor: SdkFloor;
  processes: { samples: Samples; runs: number; warmup: number; baseline: string };
  cliBuilt: string;
  primeMs: number;
  requests: RequestRun[];
  timing: TimingSeries[];
  /** One `sts request` left waiting: how long, and how many status reads the broker answered for it. */
  waitingCli: { seconds: number; reads: number };
  load: LoadResults;
}

/** One line of a timing table. */
interface Row {
  label: string;
  summary: Summary;
  /** Median minus the baseline's median (process start-up rows). */
  overBaseline?: number;
}

export const loads = (values: number[]): string => values.map((v) => v.toFixed(2)).join(', ');

export const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '–');

export function rows(results: Results) {
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
  const proc = processRow(results);
  const lambda = processRows(results, 'import ');
  const cli: Row[] = [
    proc(results.processes.baseline),
    proc('sts --help'),
    proc('sts approve --help'),
    proc('sts get --format credential-process (warm cache)'),
  ];
  const request: Row[] = [
    {
      label: 'approve 200 → credentials on the waiting `sts request` stdout',
      summary: summarize(results.requests.map((r) => r.approvedToPrinted)),
    },
  ];
  return { broker, lambda, cli, request };
}

/** A process start-up row: its summary and its median over the baseline's. */
function processRow(results: Results): (label: string) => Row {
  const { samples, baseline } = results.processes;
  const base = summarize(samples[baseline]).median;
  return (label) => {
    const summary = summarize(samples[label]);
    return { label, summary, overBaseline: label === baseline ? undefined : summary.median - base };
  };
}

/** The baseline, then every process start-up row whose label starts with `prefix`, in measuring order. */
export function processRows(results: Results, prefix: string): Row[] {
  const { samples, baseline } = results.processes;
  const proc = processRow(results);
  return [
    proc(baseline),
    ...Object.keys(samples)
      .filter((l) => l.startsWith(prefix))
      .map(proc),
  ];
}

export function tableLines(title: string, list: Row[], markdown: boolean): string[] {
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

/** Known vs unknown account, per path: medians, their difference, and how well one sample tells them apart. */
export function timingLines(series: TimingSeries[], markdown: boolean): string[] {
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
