/**
 * `node --import <this file> …`: appends to the file named by $STSFTW_RECORD_LOADS the URL of every module
 * the ESM loader loads (through a load hook, on the loader's thread) or require() loaded (the require cache,
 * at exit), CommonJS files as `commonjs:<url>`, and `intl:collation` whenever the
 * process compares strings with ICU's collation (`localeCompare`, `Intl.Collator`), whose first use loads
 * ICU's collation data. test/integration/cli-loads.test.ts reads it to say what a command loads.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const record = (line) => appendFileSync(process.env.STSFTW_RECORD_LOADS, `${line}\n`);

if (isMainThread) {
  register(import.meta.url);
  // CommonJS files (bin/sts.cjs, dist/sts.cjs) are loaded by require(), which the hook does not see: the
  // require cache lists them once the process ends.
  const { cache } = createRequire(import.meta.url);
  process.on('exit', () => {
    for (const file of Object.keys(cache)) record(`commonjs:${pathToFileURL(file).href}`);
  });
  const { localeCompare } = String.prototype;
  String.prototype.localeCompare = function (...args) {
    record('intl:collation');
    return localeCompare.apply(this, args);
  };
  const { Collator } = Intl;
  Intl.Collator = new Proxy(Collator, {
    construct(target, args) {
      record('intl:collation');
      return Reflect.construct(target, args);
    },
    apply(target, self, args) {
      record('intl:collation');
      return Reflect.apply(target, self, args);
    },
  });
}

/** The loader hook: records the URL (`commonjs:<url>` for a CommonJS file), changes nothing. */
export async function load(url, context, next) {
  const result = await next(url, context);
  record(result.format === 'commonjs' ? `commonjs:${url}` : url);
  return result;
}
