/**
 * The prebuilt help texts (dist/help/, cli/prebuilt-help.ts) are what the CLI prints: every help and version
 * line of every registered command has a file with colours and one without, each equal to what `runSts`
 * (cli/cli.ts, from the sources) prints for that line, and `node bin/sts.cjs` answers from them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runSts } from '../../cli/cli.js';
import { helpLines } from '../../cli/help-texts.js';
import { helpFileName } from '../../cli/prebuilt-help.js';
import { cleanEnv, ensureBundle, repoRoot, runProcess, runSts as runStsProcess } from '../support/cli-harness.js';

const dir = join(repoRoot, 'dist', 'help');

async function printed(argv: string[], coloured: boolean): Promise<{ code: number; text: string }> {
  let text = '';
  const stdout = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  const code = await runSts(
    argv,
    { stdin: new PassThrough(), stdout, stderr: stdout, env: {}, colorDepth: coloured ? 8 : 1 },
    { enableColors: coloured },
  );
  return { code, text };
}

/**
 * Every command path clipanion lists, read off the whole command line (not off the list the build used),
 * and the help and version flags (clipanion lists no definition for those).
 */
const paths = [
  ['-h'],
  ['--help'],
  ['-v'],
  ['--version'],
  ...buildCli()
    .definitions()
    .map((definition) => definition.path.split(' ').slice(1)),
];
const lines = helpLines(paths);

beforeAll(() => ensureBundle(), 300_000);

describe('prebuilt help texts', () => {
  it('cover every command path and the top-level help and version flags', () => {
    const files = readdirSync(dir).sort();
    const expected = lines.flatMap((argv) => [helpFileName(argv, false), helpFileName(argv, true)]);
    expect(files).toEqual([...expected].sort());
    for (const line of [['--help'], ['-h'], ['--version'], ['-v'], ['approve', '--help'], ['update', 'roles', '-h']])
      expect(lines).toContainEqual(line);
  });

  it.each(lines.map((argv) => [argv.join(' '), argv]))(
    'sts %s: both texts equal what the CLI prints',
    async (_, argv) => {
      for (const coloured of [false, true]) {
        const run = await printed(argv as string[], coloured);
        expect(run.code).toBe(0);
        expect(readFileSync(join(dir, helpFileName(argv as string[], coloured) as string), 'utf8')).toBe(run.text);
      }
    },
  );

  it('no text for lines that are not a command path with one help or version flag', () => {
    for (const argv of [
      [],
      ['get'],
      ['get', '--help', 'extra'],
      ['--help', 'extra'],
      ['--profile', 'x', '--help'],
      ['a', 'b', 'c', '-h'],
    ])
      expect(helpFileName(argv, false)).toBeUndefined();
  });

  it('node bin/sts.mjs, the entry older `sts configure` lines name, still runs the same sts', async () => {
    const run = await runProcess(
      process.execPath,
      [join(repoRoot, 'bin', 'sts.mjs'), 'approve', '--help'],
      cleanEnv({}),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(dir, 'approve_--help.txt'), 'utf8'));
    // A line for the CLI proper: the same answer as through bin/sts.cjs.
    const viaOld = await runProcess(process.execPath, [join(repoRoot, 'bin', 'sts.mjs'), 'status'], cleanEnv({}));
    const viaNew = await runStsProcess(['status'], undefined, cleanEnv({}));
    expect(viaOld.stderr).toContain('sts status --help');
    expect({ code: viaOld.code, stderr: viaOld.stderr }).toEqual({ code: viaNew.code, stderr: viaNew.stderr });
  });

  it('node bin/sts.cjs prints the plain text on a pipe, exit 0', async () => {
    const run = await runStsProcess(['approve', '--help'], undefined, cleanEnv({}));
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(dir, 'approve_--help.txt'), 'utf8'));
    expect(run.stderr).toBe('');
  });
});
