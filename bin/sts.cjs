#!/usr/bin/env node
// `sts` entry: the esbuild bundle when built (npm ci runs `prepare`), else the TypeScript sources via tsx.
// CommonJS, like dist/sts.cjs: the warm credential_process path and `sts --help` then load no ES module
// (scripts/build.mjs says what that saves).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'sts.cjs');
if (existsSync(bundle)) {
  require(bundle);
} else {
  const { pathToFileURL } = require('node:url');
  import('tsx/esm/api').then(({ register }) => {
    register();
    return import(pathToFileURL(join(__dirname, '..', 'cli', 'main.ts')).href);
  });
}
