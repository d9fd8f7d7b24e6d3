/**
 * The Lambda functions as `cdk deploy` ships them: esbuild with `lambdaBuildOptions` (infra/bundling.ts),
 * the options NodejsFunction runs with (test/infra/lambda-bundles.test.ts checks the output is byte for byte
 * the same). Per function: the bundle with its metafile's top contributors, and the bundle of only the SDK
 * clients it constructs (the floor the SDK sets). For the API also the SDK left external (CDK's default,
 * relying on the SDK v3 the Node.js 22 runtime provides).
 */
import { symlinkSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { type LambdaName, lambdaBuildOptions } from '../infra/bundling.js';
import type { Subject } from './process-timing.js';

/** Which AWS SDK packages the bundle contains. */
export type SdkMode = 'bundled' | 'external';

/** A package (or a directory of this repository) and the bytes of minified code it put into a bundle. */
export interface Contributor {
  name: string;
  bytes: number;
}

/** One built variant. */
export interface LambdaBundle {
  name: LambdaName;
  sdk: SdkMode;
  /** The `index.mjs` CDK would upload. */
  file: string;
  bytes: number;
  /** gzip -9 of `index.mjs`: about what the deployment zip adds for it. */
  gzipBytes: number;
  /** The `.map` next to it (uploaded too, read only when an error is logged). */
  mapBytes: number;
  buildMs: number;
  /** Largest contributors first (esbuild metafile, `bytesInOutput`). */
  contributors: Contributor[];
  /** A bundle with the same options that only constructs this function's SDK clients (bundled variant only). */
  sdkFloor?: SdkFloor;
}

/** A bundle of SDK clients alone: what the SDK costs before any code of ours. */
export interface SdkFloor {
  file: string;
  bytes: number;
}

/** CDK's externals when `bundleAwsSDK` is false (with the recommended sdkV3ExcludeSmithyPackages flag). */
const SDK_EXTERNALS = ['@aws-sdk/*', '@smithy/*'];

/** The SDK clients each function constructs at load (its handler module). */
export const FUNCTION_CLIENTS: Record<LambdaName, [pkg: string, className: string][]> = {
  api: [
    ['client-dynamodb', 'DynamoDBClient'],
    ['client-kms', 'KMSClient'],
    ['client-sfn', 'SFNClient'],
    ['client-sns', 'SNSClient'],
  ],
  verify: [
    ['client-dynamodb', 'DynamoDBClient'],
    ['client-kms', 'KMSClient'],
    ['client-sns', 'SNSClient'],
  ],
  mint: [
    ['client-dynamodb', 'DynamoDBClient'],
    ['client-sts', 'STSClient'],
  ],
};

/** Bytes per npm package, or per directory under `lambdas/` for this repository's code. */
export function contributors(metafile: Metafile): Contributor[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
  const totals = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const pkg = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1];
    const name = pkg ?? path.split('/').slice(0, 2).join('/');
    totals.set(name, (totals.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...totals]
    .map(([name, bytes]) => ({ name, bytes }))
    .filter((c) => c.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

/**
 * Bundles only `new Client({})` for each of `clients`, with `name`'s build options, into `file`: the floor
 * the AWS SDK sets for a function that constructs those clients.
 */
export async function buildSdkFloor(
  repoRoot: string,
  name: LambdaName,
  clients: [pkg: string, className: string][],
  file: string,
): Promise<SdkFloor> {
  const contents = [
    ...clients.map(([pkg, cls]) => `import { ${cls} } from '@aws-sdk/${pkg}';`),
    `export const clients = [${clients.map(([, cls]) => `new ${cls}({})`).join(', ')}];`,
    'export const handler = async () => clients.length;',
  ].join('\n');
  const { entryPoints: _, ...options } = lambdaBuildOptions(repoRoot, name, file);
  const result = await build({ ...options, stdin: { contents, resolveDir: repoRoot, loader: 'ts' }, metafile: true });
  return { file, bytes: Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? Number.NaN };
}

/**
 * Bundles `name`'s handler into `<outRoot>/<name>-<sdk>/index.mjs`. For the external variant,
 * `node_modules` next to it links to the project's, standing in for the runtime's own SDK.
 */
export async function buildLambdaBundle(
  repoRoot: string,
  outRoot: string,
  name: LambdaName,
  sdk: SdkMode = 'bundled',
): Promise<LambdaBundle> {
  const outDir = join(outRoot, `${name}-${sdk}`);
  await mkdir(outDir, { recursive: true });
  if (sdk === 'external') symlinkSync(join(repoRoot, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  const file = join(outDir, 'index.mjs');
  const start = performance.now();
  const result = await build({
    ...lambdaBuildOptions(repoRoot, name, file),
    external: sdk === 'external' ? SDK_EXTERNALS : [],
    metafile: true,
  });
  const buildMs = performance.now() - start;
  const code = await readFile(file);
  return {
    name,
    sdk,
    file,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    mapBytes: (await stat(`${file}.map`)).size,
    buildMs,
    contributors: contributors(result.metafile),
    sdkFloor:
      sdk === 'bundled'
        ? await buildSdkFloor(repoRoot, name, FUNCTION_CLIENTS[name], join(outDir, 'sdk-floor.mjs'))
        : undefined,
  };
}

/**
 * The configuration each function's cold start validates (core/config.ts): well-formed dummies, so module
 * init runs to the end (clients are created, nothing is called).
 */
export const DUMMY_LAMBDA_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCHMARK',
  AWS_SECRET_ACCESS_KEY: 'benchmark',
  AWS_SESSION_TOKEN: 'benchmark',
  STS_TABLE_NAME: 'stsftw-auth',
  STS_REQUESTS_TABLE_NAME: 'stsftw-requests',
  STS_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:stsftw-approval',
  STS_AUDIT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:stsftw-audit',
  STS_KMS_KEY_ID: 'alias/stsftw',
  STS_ROLE_ACCOUNT_ID: '123456789012',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The one client every function constructs: the least any of them can pay for the SDK. */
export const DYNAMODB_ALONE: [pkg: string, className: string][] = [['client-dynamodb', 'DynamoDBClient']];

/** Labels of the SDK floors' cold loads (they start with `import ` to join the bundles' table). */
export const floorLabel = (name: LambdaName): string => `import ${name}'s SDK clients alone`;
export const DYNAMODB_ALONE_LABEL = 'import DynamoDBClient alone';

/** The label of a cold-load subject: every one starts with `import `. */
export function coldLoadLabel(bundle: LambdaBundle, sourceMaps: boolean): string {
  return `import ${bundle.name} (SDK ${bundle.sdk})${sourceMaps ? ' --enable-source-maps' : ''}`;
}

/** `node [--enable-source-maps] -e "import(file)"`, failing unless the module exports a `handler` function. */
export function importSubject(label: string, file: string, env: NodeJS.ProcessEnv, sourceMaps = false): Subject {
  const url = pathToFileURL(file).href;
  const script = `import(${JSON.stringify(url)}).then((m) => { if (typeof m.handler !== 'function') process.exit(3); })`;
  return {
    label,
    command: process.execPath,
    args: [...(sourceMaps ? ['--enable-source-maps'] : []), '-e', script],
    env: { ...env, ...DUMMY_LAMBDA_ENV },
  };
}

/** The cold load of a built bundle, labelled by `coldLoadLabel`. */
export function coldLoadSubject(bundle: LambdaBundle, env: NodeJS.ProcessEnv, sourceMaps = false): Subject {
  return importSubject(coldLoadLabel(bundle, sourceMaps), bundle.file, env, sourceMaps);
}
