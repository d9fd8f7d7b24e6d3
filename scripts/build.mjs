// Bundles the `sts` CLI in two builds: cli/main.ts → dist/sts.cjs, one CommonJS file holding the warm
// credential_process path (cli/fast-path.ts), which answers from the cache loading nothing else, and the
// prebuilt help texts' reader (cli/prebuilt-help.ts; the build writes them in dist/help/); and
// cli/cli.ts → dist/cli.mjs, which sts.cjs imports for anything else, with what it imports lazily in
// dist/chunks/ (code splitting keeps the dynamic import()s lazy). The few small modules both use are in
// both. `npm ci` runs this through `prepare`; bin/sts.cjs prefers the bundle and falls back to tsx.
// Packages the embedded server and the admin commands import lazily stay external: native or
// file-reading modules that cannot be bundled, and the AWS SDK (installed anyway).
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // Installed without esbuild (e.g. an omitted optional platform binary): bin/sts.cjs runs the sources.
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
// test) must never find a half-written bundle. Between the two renames bin/sts.cjs falls back to tsx.
const staging = `dist.tmp-${process.pid}`;
rmSync(join(root, staging), { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  outdir: staging,
  entryNames: '[name]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true, // error classes are caught by name
  legalComments: 'linked',
  external,
  // clipanion and typanion ship ES modules beside their CommonJS `main`: the ES builds need no CommonJS
  // wrapper, which `sts --help` would otherwise compile and run at every start.
  alias: {
    clipanion: './node_modules/clipanion/lib/advanced/index.mjs',
    typanion: './node_modules/typanion/lib/index.mjs',
  },
  logLevel: 'warning',
  metafile: true,
};
const cli = await esbuild.build({
  ...common,
  entryPoints: { cli: 'cli/cli.ts' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __stsftwCreateRequire } from 'node:module'; const require = __stsftwCreateRequire(import.meta.url);",
  },
});
/** main.ts's `import('./cli.js')`: the bundle of the first build, not a second copy of it. */
const cliBundle = {
  name: 'cli-bundle',
  setup(build) {
    build.onResolve({ filter: /^\.\/cli\.js$/ }, ({ importer }) =>
      importer === join(root, 'cli', 'main.ts') ? { path: './cli.mjs', external: true } : undefined,
    );
  },
};
// dist/sts.cjs is CommonJS: a process whose code is all CommonJS starts about 9 ms sooner here than one that
// loads a single ES module (Node 20 reads those through its asynchronous loader), and this file answers
// every credential_process call. Node's modules are plain require()s (no ES facades built), and its one ES
// import, of dist/cli.mjs, stays a dynamic import().
const main = await esbuild.build({
  ...common,
  entryPoints: { sts: 'cli/main.ts' },
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  define: { 'import.meta.url': '__stsftwMainUrl' },
  banner: { js: "const __stsftwMainUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [cliBundle],
});
// `sts --help`, `sts <command> --help` and `sts --version`, as the CLI just built prints them (cli/prebuilt-help.ts).
const { renderPrebuiltHelp } = await import(pathToFileURL(join(root, staging, 'cli.mjs')).href);
mkdirSync(join(root, staging, 'help'));
for (const [name, text] of Object.entries(await renderPrebuiltHelp()))
  writeFileSync(join(root, staging, 'help', name), text);
const outputs = { ...cli.metafile.outputs, ...main.metafile.outputs };
// The embedded database's worker (plain JavaScript, run as is) goes beside the output that starts it, where
// that module's `new URL('./dynalite-worker.mjs', import.meta.url)` looks for it.
const WORKER_STARTER = 'lambdas/adapters/local/dynalite.ts';
const starters = Object.keys(outputs).filter((file) => file.endsWith('.mjs') && outputs[file].inputs[WORKER_STARTER]);
if (starters.length !== 1)
  throw new Error(`build: expected one output holding ${WORKER_STARTER}, found ${starters.length}`);
copyFileSync(
  join(root, 'lambdas/adapters/local/dynalite-worker.mjs'),
  join(root, dirname(starters[0]), 'dynalite-worker.mjs'),
);
// Which sources each output holds (paths relative to dist/): the tests read what a command loads from it.
const contents = Object.fromEntries(
  Object.entries(outputs).map(([file, output]) => [file.slice(staging.length + 1), Object.keys(output.inputs)]),
);
writeFileSync(join(root, staging, 'contents.json'), `${JSON.stringify(contents, null, 1)}\n`);
const retired = join(root, `dist.old-${process.pid}`);
if (existsSync(join(root, 'dist'))) renameSync(join(root, 'dist'), retired);
renameSync(join(root, staging), join(root, 'dist'));
rmSync(retired, { recursive: true, force: true });
const bytes = Object.values(outputs).reduce((sum, output) => sum + output.bytes, 0);
const chunks = Object.keys(outputs).filter((file) => file.includes('/chunks/') && file.endsWith('.mjs')).length;
console.log(`build: dist/sts.cjs, dist/cli.mjs and ${chunks} chunks, ${Math.round(bytes / 1024)} KiB`);
