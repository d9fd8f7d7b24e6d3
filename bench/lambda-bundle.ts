/**
 * The API Lambda as `cdk deploy` ships it: esbuild with the settings infra/constructs/functions.ts gives
 * NodejsFunction (`infra/bundling.ts`: ESM, node22, minified, names kept, source map without sources, the
 * createRequire banner). Two variants: the SDK bundled in (what the construct does, `bundleAwsSDK: true`) and the SDK
 * left external (CDK's default, relying on the SDK v3 the Node.js 22 runtime provides).
 */
import { symlinkSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { lambdaBundling } from '../infra/bundling.js';
import type { Subject } from './process-timing.js';

/** Which AWS SDK packages the bundle contains. */
export type SdkMode = 'bundled' | 'external';

/** One built variant. */
export interface LambdaBundle {
  sdk: SdkMode;
  /** The `index.mjs` CDK would upload. */
  file: string;
  bytes: number;
  /** gzip -9 of `index.mjs`: about what the deployment zip adds for it. */
  gzipBytes: number;
  /** The `.map` next to it (uploaded too, read only when an error is logged). */
  mapBytes: number;
  buildMs: number;
}

/** CDK's externals when `bundleAwsSDK` is false (with the recommended sdkV3ExcludeSmithyPackages flag). */
const SDK_EXTERNALS = ['@aws-sdk/*', '@smithy/*'];

/**
 * Bundles `lambdas/handlers/api.ts` into `<outRoot>/<sdk>/index.mjs`. For the external variant,
 * `<outRoot>/external/node_modules` links to the project's, standing in for the runtime's own SDK.
 */
export async function buildApiBundle(repoRoot: string, outRoot: string, sdk: SdkMode): Promise<LambdaBundle> {
  const outDir = join(outRoot, sdk);
  await mkdir(outDir, { recursive: true });
  if (sdk === 'external') symlinkSync(join(repoRoot, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  const file = join(outDir, 'index.mjs');
  const start = performance.now();
  await build({
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, 'lambdas', 'handlers', 'api.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: lambdaBundling.target,
    mainFields: lambdaBundling.mainFields,
    minify: lambdaBundling.minify,
    keepNames: lambdaBundling.keepNames,
    sourcemap: lambdaBundling.sourceMap,
    sourcesContent: lambdaBundling.sourcesContent,
    banner: { js: lambdaBundling.banner },
    external: sdk === 'external' ? SDK_EXTERNALS : [],
    logLevel: 'error',
  });
  const buildMs = performance.now() - start;
  const code = await readFile(file);
  return {
    sdk,
    file,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    mapBytes: (await stat(`${file}.map`)).size,
    buildMs,
  };
}

/**
 * The configuration the API function's cold start validates (core/config.ts): well-formed dummies, so
 * module init runs to the end (clients are created, nothing is called).
 */
export const DUMMY_LAMBDA_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCHMARK',
  AWS_SECRET_ACCESS_KEY: 'benchmark',
  STS_TABLE_NAME: 'stsftw-auth',
  STS_REQUESTS_TABLE_NAME: 'stsftw-requests',
  STS_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:stsftw-approval',
  STS_AUDIT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:stsftw-audit',
  STS_KMS_KEY_ID: 'alias/stsftw',
  STS_ROLE_ACCOUNT_ID: '123456789012',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** `node -e "import(bundle)"`, failing unless the module exports a `handler` function. */
export function coldLoadSubject(bundle: LambdaBundle, env: NodeJS.ProcessEnv): Subject {
  const url = pathToFileURL(bundle.file).href;
  const script = `import(${JSON.stringify(url)}).then((m) => { if (typeof m.handler !== 'function') process.exit(3); })`;
  return {
    label: `import API bundle (SDK ${bundle.sdk})`,
    command: process.execPath,
    args: ['-e', script],
    env: { ...env, ...DUMMY_LAMBDA_ENV },
  };
}
