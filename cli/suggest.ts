/** "Did you mean": the candidates nearest to a mistyped word (git's way: a few edits, or a clear prefix). */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}

/**
 * The candidates nearest to `word`: all of those at the smallest edit distance, if that is at most a third
 * of the word (at least one edit); else those that `word` begins (three letters at least); else none.
 * Leading dashes are not counted, so `--rol` is near `--role`.
 */
export function nearest(word: string, candidates: readonly string[]): string[] {
  const bare = (s: string) => s.replace(/^-+/, '').toLowerCase();
  const typed = bare(word);
  const limit = Math.max(1, Math.floor(typed.length / 3));
  let best = Number.POSITIVE_INFINITY;
  let found: string[] = [];
  for (const candidate of new Set(candidates)) {
    const distance = editDistance(typed, bare(candidate));
    if (distance > limit || distance > best) continue;
    if (distance < best) found = [];
    best = distance;
    found.push(candidate);
  }
  if (found.length > 0) return found;
  return typed.length >= 3 ? [...new Set(candidates)].filter((c) => bare(c).startsWith(typed)) : [];
}

/** "`a`", "`a` or `b`", "`a`, `b` or `c`". */
export function either(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
