/**
 * The esbuild settings of the Lambda bundles, in one place: `Functions` hands them to NodejsFunction and
 * the benchmark (`bench/lambda-bundle.ts`) builds with them, so it measures what `cdk deploy` ships.
 * Free of CDK imports, so the benchmark does not load aws-cdk-lib into the process it times.
 */
export const lambdaBundling = {
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  // Step Functions catches errors by `name`.
  keepNames: true,
  sourceMap: true,
  sourcesContent: false,
  // Gives the ESM bundle a `require` for the CommonJS dependencies esbuild inlines (Node built-ins).
  banner:
    "import { createRequire as __stsftwCreateRequire } from 'node:module'; const require = __stsftwCreateRequire(import.meta.url);",
};
