/**
 * `node --import <this file> …`: appends to the file named by $STSFTW_RECORD_LOADS the URL of every module
 * the ESM loader loads (through a load hook, on the loader's thread), and `intl:collation` whenever the
 * process compares strings with ICU's collation (`localeCompare`, `Intl.Collator`), whose first use loads
 * ICU's collation data. test/integration/cli-loads.test.ts reads it to say what a command loads.
 */
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const record = (line) => appendFileSync(process.env.STSFTW_RECORD_LOADS, `${line}\n`);

if (isMainThread) {
  register(import.meta.url);
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

/** The loader hook: records the URL, changes nothing. */
export async function load(url, context, next) {
  record(url);
  return next(url, context);
}
