/**
 * The esbuild settings of the Lambda bundles, in one place: `Functions` hands them to NodejsFunction and
 * the benchmark (`bench/lambda-bundle.ts`) and the bundle tests build with them (`lambdaBuildOptions`), so
 * both measure what `cdk deploy` ships. Free of CDK imports, so the benchmark does not load aws-cdk-lib
 * into the process it times.
 */
import type { BuildOptions } from 'esbuild';

/** The three functions and their entries (relative to the repository root). */
export const lambdaEntries = {
  api: 'lambdas/handlers/api.ts',
  verify: 'lambdas/handlers/verify.ts',
  mint: 'lambdas/handlers/mint.ts',
} as const;

/** A Lambda function of the broker. */
export type LambdaName = keyof typeof lambdaEntries;

/**
 * Modules the bundles take from this repository instead of the SDK (esbuild `alias`; the paths are relative
 * to the repository root, where NodejsFunction runs esbuild). Together about a quarter of each bundle:
 * - the default credential chain → the environment's credentials, all Lambda ever has;
 * - the event-stream codecs, which no operation the broker calls uses.
 */
export const lambdaAliases: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './lambdas/adapters/aws/lambda-credentials.ts',
  '@smithy/core/event-streams': './lambdas/adapters/aws/no-event-streams.ts',
};

export const lambdaBundling = {
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  // Step Functions catches errors by `name` (set explicitly on ours), and the SDK compares constructor
  // names (`NoOpLogger`, @hpke's errors): minified names would change what it logs and how errors read.
  keepNames: true,
  // Written next to index.mjs for reading stack traces offline; not loaded at run time (no
  // --enable-source-maps: docs/benchmarks.md measures what it costs each cold start).
  sourceMap: true,
  sourcesContent: false,
  // Gives the ESM bundle a `require` for the CommonJS dependencies esbuild inlines (Node built-ins).
  banner:
    "import { createRequire as __stsftwCreateRequire } from 'node:module'; const require = __stsftwCreateRequire(import.meta.url);",
};

/**
 * esbuild's API options for one function, equal to the command line NodejsFunction runs with
 * `lambdaBundling`, `lambdaAliases` and `bundleAwsSDK: true` (nothing external).
 */
export function lambdaBuildOptions(repoRoot: string, name: LambdaName, outfile: string): BuildOptions {
  return {
    absWorkingDir: repoRoot,
    entryPoints: [`${repoRoot}/${lambdaEntries[name]}`],
    outfile,
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
    alias: { ...lambdaAliases },
    logLevel: 'error',
  };
}
