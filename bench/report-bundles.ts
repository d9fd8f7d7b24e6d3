/** Section 2 of the benchmark report: the Lambda bundles, their contributors and their cold load. */
import { lambdaAliases } from '../infra/bundling.js';
import { coldLoadLabel, type LambdaBundle } from './lambda-bundle.js';
import { ms, processRows, type Results, tableLines } from './report-tables.js';
import { summarize } from './stats.js';

/** How many contributors per function the report lists. */
const TOP = 10;

function kib(bytes: number): string {
  return Number.isFinite(bytes) ? `${bytes.toLocaleString('en-US')} B (${(bytes / 1024).toFixed(1)} KiB)` : '–';
}

const deployed = (bundles: LambdaBundle[]) => bundles.filter((b) => b.sdk === 'bundled');

/** Median with `--enable-source-maps` minus median without, per deployed bundle. */
function sourceMapCosts(results: Results): { name: string; ms: number }[] {
  const { samples } = results.processes;
  return deployed(results.bundles).map((b) => ({
    name: b.name,
    ms: summarize(samples[coldLoadLabel(b, true)]).median - summarize(samples[coldLoadLabel(b, false)]).median,
  }));
}

function sizeTable(bundles: LambdaBundle[]): string[] {
  return [
    '| function | AWS SDK | index.mjs | gzip -9 | source map | its SDK clients alone | esbuild time |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...bundles.map(
      (b) =>
        `| ${b.name} | ${b.sdk} | ${kib(b.bytes)} | ${kib(b.gzipBytes)} | ${kib(b.mapBytes)} | ${kib(b.sdkFloor?.bytes ?? Number.NaN)} | ${ms(b.buildMs)} ms |`,
    ),
  ];
}

/** The union of each function's top contributors, one column per function. */
function contributorTable(bundles: LambdaBundle[]): string[] {
  const names = [...new Set(bundles.flatMap((b) => b.contributors.slice(0, TOP).map((c) => c.name)))];
  const bytesOf = (b: LambdaBundle, name: string) => b.contributors.find((c) => c.name === name)?.bytes ?? 0;
  const largest = (name: string) => Math.max(...bundles.map((b) => bytesOf(b, name)));
  names.sort((a, b) => largest(b) - largest(a));
  return [
    `| package or directory | ${bundles.map((b) => b.name).join(' | ')} |`,
    `|---|${bundles.map(() => '---:').join('|')}|`,
    ...names.map(
      (name) =>
        `| ${name} | ${bundles.map((b) => (bytesOf(b, name) ? bytesOf(b, name).toLocaleString('en-US') : '–')).join(' | ')} |`,
    ),
  ];
}

/** The bundle lines of the terminal report. */
export function bundleTerminalLines(results: Results): string[] {
  return [
    '2. Lambda bundles (esbuild, as the CDK construct builds them)',
    ...results.bundles.map(
      (b) =>
        `  ${b.name.padEnd(6)} SDK ${b.sdk.padEnd(8)}  index.mjs ${kib(b.bytes)}, gzip ${kib(b.gzipBytes)}, map ${kib(b.mapBytes)}, its SDK clients alone ${kib(b.sdkFloor?.bytes ?? Number.NaN)}`,
    ),
    `  --enable-source-maps adds ${sourceMapCosts(results)
      .map((c) => `${c.name} ${ms(c.ms)} ms`)
      .join(', ')} to the cold load`,
    '',
    ...tableLines('2. Lambda cold load (module init), interleaved', processRows(results, 'import '), false),
  ];
}

/** Section 2 of docs/benchmarks.md. */
export function bundleSection(results: Results): string {
  const { runs } = results.processes;
  const costs = sourceMapCosts(results);
  const quoted = Object.keys(lambdaAliases).map((m) => `\`${m}\``);
  const aliases = `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
  return `## 2. The Lambda bundles

${sizeTable(results.bundles).join('\n')}

Built with esbuild from \`lambdas/handlers/{api,verify,mint}.ts\` with \`lambdaBuildOptions\`
(\`infra/bundling.ts\`), the options \`infra/constructs/functions.ts\` gives \`NodejsFunction\`:
\`test/infra/lambda-bundles.test.ts\` has CDK bundle the three functions and checks its \`index.mjs\` is
byte for byte this one. Platform node, target node22, ESM, \`mainFields\` module,main, minified
without \`keepNames\` (names cost 20–29 KB per function; the one class name the SDK compares at run time,
\`NoOpLogger\`, is restored by the injected \`lambdas/adapters/aws/sdk-class-names.ts\`), source map
without sources content, the \`createRequire\` banner, and the aliases ${aliases} (the environment's
credentials instead of the default chain, whose SSO, STS and sign-in clients a Lambda never calls; no
event-stream codecs, which no operation the broker calls uses; no DynamoDB endpoint discovery, which no
command of the bundled SDK adds, and its LRU cache with it: each replacement throws if ever reached).
Legal comments stay at the end of each file (\`legalComments\` eof, about 0.3 KB). The API's routes
build on \`hono/tiny\` (PatternRouter: 6 KB less than the default SmartRouter). Each handler composes only
its own part of the broker (\`lambdas/compose-{api,verify,mint}.ts\`), so verify holds no HTTP app and no
mint code, and mint no TOTP, HTTP or verification code. *bundled* is what the construct deploys
(\`bundleAwsSDK: true\`); *external* leaves \`@aws-sdk/*\` and \`@smithy/*\` out, as CDK does by default,
relying on the SDK v3 in the Node.js 22 runtime. *its SDK clients alone* is a bundle, with the same
options, that only constructs the clients the function constructs at load: what the SDK costs before
any code of ours. gzip -9 of \`index.mjs\` approximates what it adds to the deployment zip; the source map
is uploaded too.

Largest contributors (bytes of minified output, esbuild metafile; each function's top ${TOP}):

${contributorTable(deployed(results.bundles)).join('\n')}

Cold load, ${runs} interleaved rounds:

${tableLines('', processRows(results, 'import '), true).join('\n')}

Each run is \`node -e "import('file:///…/index.mjs').then(m => …handler is a function…)"\` with the
configuration \`core/config.ts\` validates set to well-formed dummies (table names, ARNs, key alias,
region, credentials), so module init runs to the end: configuration, SDK clients, the composition (and
the Hono app for the API). No AWS call is made. The rows *… SDK clients alone* load the bundles of the
size table's last but one column, and *DynamoDBClient alone* one of that client only: the SDK's own cost,
with nothing of ours. For *external*, the SDK is loaded from this project's
\`node_modules\` (linked next to the bundle), standing in for the runtime's copy. Measured on Node
${results.machine.node} on this machine, not on Lambda's Node.js 22 on ARM64; the Lambda init phase adds
the runtime's own start-up and reading the code from its package.

*Source maps.* \`--enable-source-maps\` makes Node read and parse \`index.mjs.map\` as it loads the
bundle: in this run it added ${costs.map((c) => `${ms(c.ms)} ms (${c.name})`).join(', ')} to the median
cold load. The functions therefore run without it (no \`NODE_OPTIONS\`); stack traces in their logs show
minified function names (method names stay) with positions in \`index.mjs\`, which \`docs/deploy.md\` shows how to map
back to the sources with the uploaded map. Turning source maps on later in the process
(\`process.setSourceMapsEnabled\`) does not help: Node maps only modules loaded after it.
`;
}
