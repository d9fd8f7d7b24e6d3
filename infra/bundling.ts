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
 * - the event-stream codecs, which no operation the broker calls uses;
 * - DynamoDB endpoint discovery, which no command of the bundled SDK adds and the broker never enables
 *   (its unused LRU cache is about 9 KB of each bundle).
 * Each replacement throws a sentence naming this list if it is ever reached.
 */
export const lambdaAliases: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './lambdas/adapters/aws/lambda-credentials.ts',
  '@smithy/core/event-streams': './lambdas/adapters/aws/no-event-streams.ts',
  '@aws-sdk/middleware-endpoint-discovery': './lambdas/adapters/aws/no-endpoint-discovery.ts',
};

export const lambdaBundling = {
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  // No `keepNames`: it costs 29 KB (api), 23 KB (verify), 20 KB (mint) of minified code and a `__name`
  // call per function and class at load. Step Functions catches errors by `name`, which ours set
  // explicitly (core/errors.ts); the one class name the SDK reads (`NoOpLogger`) is restored by `inject`.
  // Stack traces in the logs then show short function names; their positions map back to the sources
  // with the uploaded map (scripts/map-stack.ts).
  keepNames: false,
  inject: ['./lambdas/adapters/aws/sdk-class-names.ts'],
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
 * `lambdaBundling`, `lambdaAliases` and `bundleAwsSDK: true` (nothing external). Paths (aliases, inject)
 * are relative to the repository root, esbuild's working directory.
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
    inject: [...lambdaBundling.inject],
    sourcemap: lambdaBundling.sourceMap,
    sourcesContent: lambdaBundling.sourcesContent,
    banner: { js: lambdaBundling.banner },
    alias: { ...lambdaAliases },
    logLevel: 'error',
  };
}
