/**
 * The texts of `dist/help/` (cli/prebuilt-help.ts): every line that prints a help or the version,
 * run through `runSts` as bin/sts.cjs would run it, with colours (a terminal) and without. A line that does
 * not exit 0 with stdout alone gets no text, so the CLI keeps answering it.
 */
import { PassThrough, Writable } from 'node:stream';
import { helpFileName } from './prebuilt-help.js';

type Run = (
  argv: string[],
  context: { stdin: PassThrough; stdout: Writable; stderr: Writable; env: NodeJS.ProcessEnv; colorDepth: number },
  options: { enableColors: boolean },
) => Promise<number>;

/** Every prebuilt line: the top-level help and version flags, and `<path> --help` / `<path> -h` of each command. */
export function helpLines(paths: readonly (readonly string[])[]): string[][] {
  const lines: string[][] = [];
  for (const path of paths) {
    if (path.length === 0) continue;
    if (path[0].startsWith('-')) lines.push([...path]);
    else lines.push([...path, '--help'], [...path, '-h']);
  }
  return lines;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** What `run` prints for `argv`, or undefined when it exits non-zero or writes to stderr. */
async function printed(run: Run, argv: string[], coloured: boolean): Promise<string | undefined> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await run(
    argv,
    { stdin: new PassThrough(), stdout, stderr, env: {}, colorDepth: coloured ? 8 : 1 },
    { enableColors: coloured },
  );
  return code === 0 && stderr.text === '' ? stdout.text : undefined;
}

/** The files of every line of `paths` (name → text), as `run` (cli/cli.ts's `runSts`) prints them. */
export async function renderHelpTexts(
  run: Run,
  paths: readonly (readonly string[])[],
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const argv of helpLines(paths)) {
    const [plain, coloured] = [await printed(run, argv, false), await printed(run, argv, true)];
    if (plain === undefined || coloured === undefined) continue;
    files[helpFileName(argv, false) as string] = plain;
    files[helpFileName(argv, true) as string] = coloured;
  }
  return files;
}
