/**
 * Maps a stack trace from a Lambda function's log back to the sources, with the `index.mjs.map` uploaded
 * next to its bundle: the functions run without `--enable-source-maps`, which would parse the map on every
 * cold start (docs/deploy.md, "Reading a stack trace").
 *
 *   npx tsx scripts/map-stack.ts path/to/index.mjs.map < stack.txt
 *
 * Every `index.mjs:LINE:COLUMN` in the input becomes `SOURCE:LINE:COLUMN`; the rest is copied as is.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath } from 'node:url';

/** `text` with each bundle position (`…index.mjs:L:C`, 1-based as in stack traces) replaced by its source's. */
export function mapStack(text: string, payload: SourceMapPayload): string {
  const map = new SourceMap(payload);
  return text.replace(/(?:file:\/\/)?[^\s()]*index\.mjs:(\d+):(\d+)/g, (position, line: string, column: string) => {
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as Partial<{
      originalSource: string;
      originalLine: number;
      originalColumn: number;
    }>;
    if (entry.originalSource === undefined || entry.originalLine === undefined) return position;
    // Sources are relative to where the bundle was written: from `lambdas/` or `node_modules/` on is enough.
    const source = entry.originalSource.match(/(?:^|\/)((?:lambdas|node_modules)\/.*)$/)?.[1] ?? entry.originalSource;
    return `${source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mapFile = process.argv[2];
  if (!mapFile) {
    process.stderr.write('usage: npx tsx scripts/map-stack.ts path/to/index.mjs.map < stack.txt\n');
    process.exit(2);
  }
  const payload = JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload;
  process.stdout.write(mapStack(readFileSync(0, 'utf8'), payload));
}
