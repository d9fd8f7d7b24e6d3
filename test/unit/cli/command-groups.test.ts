/**
 * Issue 11 §4: `sts` registers (so clipanion builds the parser of) only the commands a line can select, and
 * still reaches and lists every command. What each line prints is snapshotted in
 * test/integration/cli-output.test.ts; what it loads in test/integration/cli-loads.test.ts.
 */

import { stripVTControlCharacters } from 'node:util';
import { Cli, type CommandClass } from 'clipanion';
import { describe, expect, it, vi } from 'vitest';
import { ALL_COMMANDS, COMMAND_GROUPS, commandGroupFor } from '../../../cli/commands/index.js';
import { runCli } from '../../support/cli-harness.js';

const ID = 'r_0123456789abcdefghjkmnpqrs';

const pathsOf = (command: CommandClass<any>): string[][] => (command as { paths?: string[][] }).paths ?? [];

/** The paths registered in each CLI that parsed a line during `run` (one entry per `cli.process` call). */
async function parsedBy(argv: string[]): Promise<string[][]> {
  const seen: string[][] = [];
  const original = Cli.prototype.process;
  const spy = vi.spyOn(Cli.prototype, 'process').mockImplementation(function (this: Cli<any>, ...args) {
    const { registrations } = this as unknown as { registrations: Map<CommandClass<any>, unknown> };
    seen.push([...registrations.keys()].flatMap(pathsOf).map((path) => path.join(' ')));
    return original.apply(this, args);
  });
  try {
    await runCli(argv, {});
  } finally {
    spy.mockRestore();
  }
  return seen;
}

describe('the command table', () => {
  it('groups each command under the first word of every one of its paths, each word once', () => {
    const words = COMMAND_GROUPS.flatMap((group) => group.words);
    expect(new Set(words).size).toBe(words.length);
    for (const group of COMMAND_GROUPS) {
      for (const command of group.commands) {
        expect(pathsOf(command).length).toBeGreaterThan(0);
        for (const path of pathsOf(command)) expect(group.words).toContain(path[0]);
      }
    }
    expect(new Set(ALL_COMMANDS).size).toBe(ALL_COMMANDS.length);
  });

  it.each([
    [['approve', ID], ['approve']],
    [['update', 'roles', 'Admin'], ['update']],
    [['--help'], ['-h', '--help']],
    [['-v'], ['-v', '--version']],
  ])('%j belongs to the group %j', (argv, words) => {
    expect(commandGroupFor(argv)?.words).toEqual(words);
  });

  it.each([[[]], [['--local', 'get']], [['--help', 'extra']], [['aprove', ID]], [['help', 'get']]])(
    '%j may belong to any command (or none): no group',
    (argv) => {
      expect(commandGroupFor(argv)).toBeUndefined();
    },
  );
});

describe('sts parses a line with the commands it can select', () => {
  it('sts approve … builds the parser of approve alone', async () => {
    expect(await parsedBy(['approve', '--help'])).toEqual([['approve']]);
    expect(await parsedBy(['approve', ID, '--yes'])).toEqual([['approve']]);
  });

  it('sts update roles … builds the parsers of the update group alone', async () => {
    expect(await parsedBy(['update', 'roles', '--help'])).toEqual([
      ['update', 'update roles', 'update authorizers', 'update approvals', 'update device'],
    ]);
  });

  it('sts --help parses with the help command alone, and lists every command without parsing again', async () => {
    expect(await parsedBy(['--help'])).toEqual([['-h', '--help']]);
  });

  it('a line the selected commands cannot parse, or that may belong to any, is parsed by all of them', async () => {
    const all = ALL_COMMANDS.flatMap(pathsOf).map((path) => path.join(' '));
    expect(await parsedBy(['aprove', ID])).toEqual([all]);
    expect(await parsedBy(['--json', 'status', ID])).toEqual([all]);
    // `approve` without its id: approve alone cannot parse it, so the sentence is built from every command
    expect(await parsedBy(['approve'])).toEqual([['approve'], all]);
  });
});

describe('every command is reachable and listed', () => {
  const documented = ALL_COMMANDS.filter((command) => 'usage' in command && command.usage !== undefined);
  const paths = documented.flatMap(pathsOf).map((path) => path.join(' '));

  it('sts --help lists every documented command', async () => {
    const help = await runCli(['--help'], {});
    expect(help.code).toBe(0);
    expect(paths.length).toBeGreaterThanOrEqual(20);
    // (in process, clipanion may colour the text: it looks at $TERM)
    for (const path of paths)
      expect(stripVTControlCharacters(help.stdout)).toMatch(new RegExp(`^  sts ${path}( |$)`, 'm'));
  });

  it.each(paths)('sts %s --help shows its own help', async (path) => {
    const result = await runCli([...path.split(' '), '--help'], {});
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(stripVTControlCharacters(result.stdout)).toContain(`$ sts ${path}`);
  });
});
