/**
 * clipanion sorts the command list of `sts --help` with `a.localeCompare(b, 'en', { usage: 'sort', caseFirst:
 * 'upper' })`, and the first such call loads ICU's collation data: several milliseconds of every `sts --help`
 * for two dozen ASCII names. For printable ASCII the answer is known without ICU whenever the first
 * character that differs differs at the primary level (Unicode's collation puts whitespace, punctuation and
 * symbols before digits before letters, letters alphabetically whatever their case, a prefix first);
 * anything else still goes to ICU.
 */

/** Printable ASCII and the whitespace controls (tab to carriage return), all of which ICU orders (others it ignores). */
const PRINTABLE_ASCII = /^[\t-\r\x20-\x7e]*$/;

/** 0: whitespace, punctuation or symbol; 1: digit; 2: letter (their primary order). */
function group(char: string): number {
  if (/[0-9]/.test(char)) return 1;
  return /[A-Za-z]/.test(char) ? 2 : 0;
}

/**
 * The sign of `a.localeCompare(b, 'en', …)` for any sort options that leave the primary level alone (not
 * `numeric`, not `ignorePunctuation`), when it is certain without ICU; else undefined.
 */
export function asciiCollation(a: string, b: string): number | undefined {
  if (!PRINTABLE_ASCII.test(a) || !PRINTABLE_ASCII.test(b)) return undefined;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length || i === b.length) return Math.sign(a.length - b.length);
  const [x, y] = [a[i], b[i]];
  if (group(x) !== group(y)) return Math.sign(group(x) - group(y));
  if (group(x) === 1) return x < y ? -1 : 1;
  const [lowerX, lowerY] = [x.toLowerCase(), y.toLowerCase()];
  // Two punctuation marks (ICU's order is not ASCII's), or one letter in two cases (decided further on).
  if (group(x) === 0 || lowerX === lowerY) return undefined;
  return lowerX < lowerY ? -1 : 1;
}

/** True for clipanion's options: `{ usage: 'sort', caseFirst: 'upper' }` and nothing else. */
function clipanionSort(locales: unknown, options: unknown): boolean {
  if (locales !== 'en' || typeof options !== 'object' || options === null) return false;
  const { usage, caseFirst, ...rest } = options as Intl.CollatorOptions;
  return usage === 'sort' && caseFirst === 'upper' && Object.keys(rest).length === 0;
}

/** Runs `fn` (synchronous) with clipanion's `localeCompare` calls answered by `asciiCollation` where it can. */
export function withAsciiCollation<T>(fn: () => T): T {
  const localeCompare = String.prototype.localeCompare;
  String.prototype.localeCompare = function (this: string, that: string, locales?: unknown, options?: unknown) {
    const known = clipanionSort(locales, options) ? asciiCollation(String(this), String(that)) : undefined;
    return known ?? localeCompare.call(this, that, locales as string, options as Intl.CollatorOptions);
  };
  try {
    return fn();
  } finally {
    String.prototype.localeCompare = localeCompare;
  }
}
