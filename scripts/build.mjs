// Bundles the `sts` CLI: cli/main.ts → dist/sts.mjs (+ lazily loaded chunks in dist/chunks/).
// `npm ci` runs this through `prepare`; bin/sts.mjs prefers the bundle and falls back to tsx.
// Code splitting keeps the dynamic import()s lazy, so `sts --help` and the warm credential_process path
// load only what they use. Packages the embedded server and the admin commands import lazily stay
// external: native or file-reading modules that cannot be bundled, and the AWS SDK (installed anyway).
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // Installed without esbuild (e.g. an omitted optional platform binary): bin/sts.mjs runs the sources.
  console.warn('build: esbuild is not available; `sts` will run from the TypeScript sources.');
  process.exit(0);
}

const external = [
  'dynalite',
  'classic-level',
  'aws-local-stepfunctions',
  '@aws-sdk/*',
  '@smithy/*',
  '@hono/node-server',
  'esbuild',
  'tsx',
];

// Build beside dist/ and swap it in: an `sts` started during a build (a credential_process, a parallel
// test) must never find a half-written bundle. Between the two renames bin/sts.mjs falls back to tsx.
const staging = `dist.tmp-${process.pid}`;
rmSync(join(root, staging), { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { sts: 'cli/main.ts' },
  outdir: staging,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true, // error classes are caught by name
  legalComments: 'linked',
  external,
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __stsftwCreateRequire } from 'node:module'; const require = __stsftwCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
  metafile: true,
});
// Which sources each output holds (paths relative to dist/): the tests read what a command loads from it.
const contents = Object.fromEntries(
  Object.entries(result.metafile.outputs).map(([file, output]) => [
    file.slice(staging.length + 1),
    Object.keys(output.inputs),
  ]),
);
writeFileSync(join(root, staging, 'contents.json'), `${JSON.stringify(contents, null, 1)}\n`);
const retired = join(root, `dist.old-${process.pid}`);
if (existsSync(join(root, 'dist'))) renameSync(join(root, 'dist'), retired);
renameSync(join(root, staging), join(root, 'dist'));
rmSync(retired, { recursive: true, force: true });
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(
  `build: dist/sts.mjs and ${Object.keys(result.metafile.outputs).length - 1} chunks, ${Math.round(bytes / 1024)} KiB`,
);
