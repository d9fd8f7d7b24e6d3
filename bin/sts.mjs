#!/usr/bin/env node
// `sts` entry: the esbuild bundle when built (npm ci runs `prepare`), else the TypeScript sources via tsx.
// Node's modules come from process.getBuiltinModule(): an ES import would build their ES facades, which
// the warm credential_process path and `sts --help` (dist/sts.mjs alone) have no use for.
const { existsSync } = process.getBuiltinModule('node:fs');

const bundle = new URL('../dist/sts.mjs', import.meta.url);
if (existsSync(bundle)) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../cli/main.ts', import.meta.url).href);
}
