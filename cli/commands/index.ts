/**
 * Every `sts` command, grouped by the first word of its path, in registration order (the order in which
 * "did you mean" names equally near commands). clipanion builds the parser of every registered command
 * before it parses a line, so `sts approve …` registers the `approve` group alone (cli/cli.ts). The modules
 * are all imported here, in one chunk of the bundle: what they import at load is light (their heavy parts
 * are imported inside `execute()`), and one chunk loads faster than a chunk per command and the shared
 * chunks esbuild would split between them (measured in docs/benchmarks.md). Add a command here, in the
 * group of its first word.
 */
import { Builtins, type CommandClass } from 'clipanion';
import type { StsContext } from '../context.js';
import { ApproveCommand } from './approve.js';
import { CacheClearCommand, CacheCommand } from './cache.js';
import { CompletionCommand } from './completion.js';
import { ConfigureCommand } from './configure.js';
import { ConsoleCommand, LoginCommand } from './console.js';
import { DenyCommand } from './deny.js';
import { EnrollCommand } from './enroll.js';
import { ExecCommand } from './exec.js';
import { GetCommand } from './get.js';
import { HelpCommand } from './help.js';
import { ListCommand } from './list.js';
import { MigrateCommand } from './migrate.js';
import { ProfilesCommand } from './profiles.js';
import { RemoveCommand } from './remove.js';
import { RequestCommand } from './request.js';
import { ServerCommand } from './server.js';
import { StatusCommand } from './status.js';
import { UpdateApprovalsCommand } from './update/approvals.js';
import { UpdateAuthorizersCommand } from './update/authorizers.js';
import { UpdateDeviceCommand } from './update/device.js';
import { UpdateRolesCommand } from './update/roles.js';
import { UpdateCommand } from './update.js';
import { WaitCommand } from './wait.js';
import { WhoamiCommand } from './whoami.js';

/** The commands whose paths begin with one of `words`. */
export interface CommandGroup {
  words: readonly string[];
  commands: readonly CommandClass<StsContext>[];
  /** Runs with every command registered: `sts --help` lists them all. */
  listsAll?: true;
}

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  { words: ['-h', '--help'], commands: [HelpCommand], listsAll: true }, // Builtins.HelpCommand plus examples
  { words: ['-v', '--version'], commands: [Builtins.VersionCommand] },
  // requester / approver commands
  { words: ['request'], commands: [RequestCommand] },
  { words: ['wait'], commands: [WaitCommand] },
  { words: ['status'], commands: [StatusCommand] },
  { words: ['get'], commands: [GetCommand] },
  { words: ['exec'], commands: [ExecCommand] },
  { words: ['console'], commands: [ConsoleCommand] },
  { words: ['login'], commands: [LoginCommand] },
  { words: ['whoami'], commands: [WhoamiCommand] },
  { words: ['approve'], commands: [ApproveCommand] },
  { words: ['deny'], commands: [DenyCommand] },
  { words: ['cache'], commands: [CacheCommand, CacheClearCommand] },
  { words: ['configure'], commands: [ConfigureCommand] },
  { words: ['completion'], commands: [CompletionCommand], listsAll: true }, // its script lists every command
  { words: ['profiles'], commands: [ProfilesCommand] },
  // admin commands
  { words: ['enroll'], commands: [EnrollCommand] },
  { words: ['list'], commands: [ListCommand] },
  {
    words: ['update'],
    commands: [
      UpdateCommand,
      UpdateRolesCommand,
      UpdateAuthorizersCommand,
      UpdateApprovalsCommand,
      UpdateDeviceCommand,
    ],
  },
  { words: ['remove'], commands: [RemoveCommand] },
  { words: ['migrate'], commands: [MigrateCommand] },
  { words: ['server'], commands: [ServerCommand] },
];

/** Every command, in registration order. */
export const ALL_COMMANDS: readonly CommandClass<StsContext>[] = COMMAND_GROUPS.flatMap((group) => group.commands);

/**
 * The group a line can only belong to, or undefined when any command might take it: clipanion accepts a
 * command's options before its path, so a line that begins with an option (other than `sts --help` or
 * `sts --version` alone) may belong to any command, and a first word that names no group to none.
 */
export function commandGroupFor(argv: readonly string[]): CommandGroup | undefined {
  const [first] = argv;
  if (first === undefined || (first.startsWith('-') && argv.length > 1)) return undefined;
  return COMMAND_GROUPS.find((group) => group.words.includes(first));
}
