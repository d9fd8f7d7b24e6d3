/**
 * The `sts` command line: every command class is registered here (one line each).
 * Heavy modules are imported lazily inside `execute()` so `sts --help` and the warm
 * credential_process path stay fast.
 */
import { Builtins, Cli, type Command } from 'clipanion';
import { ApproveCommand } from './commands/approve.js';
import { CacheClearCommand, CacheCommand } from './commands/cache.js';
import { ConfigureCommand } from './commands/configure.js';
import { DenyCommand } from './commands/deny.js';
import { EnrollCommand } from './commands/enroll.js';
import { ExecCommand } from './commands/exec.js';
import { GetCommand } from './commands/get.js';
import { HelpCommand } from './commands/help.js';
import { ListCommand } from './commands/list.js';
import { MigrateCommand } from './commands/migrate.js';
import { RemoveCommand } from './commands/remove.js';
import { RequestCommand } from './commands/request.js';
import { ServerCommand } from './commands/server.js';
import { StatusCommand } from './commands/status.js';
import { UpdateApprovalsCommand } from './commands/update/approvals.js';
import { UpdateAuthorizersCommand } from './commands/update/authorizers.js';
import { UpdateDeviceCommand } from './commands/update/device.js';
import { UpdateRolesCommand } from './commands/update/roles.js';
import { UpdateCommand } from './commands/update.js';
import { WaitCommand } from './commands/wait.js';
import type { StsContext } from './context.js';
import { ExitCode } from './errors.js';
import { syntaxErrorSentence } from './syntax-error.js';

export const cliVersion = '2.0.0';

/**
 * clipanion's Cli, but a line that does not parse gets one sentence on stderr with the nearest command or
 * option, where clipanion prints every command's usage on stdout (which `$(sts get …)` would capture).
 */
class StsCli extends Cli<StsContext> {
  override async run(input: Command<StsContext> | string[], context: Partial<StsContext>): Promise<number> {
    if (!Array.isArray(input)) return super.run(input, context as StsContext);
    let command: Command<StsContext>;
    try {
      command = this.process(input, context as StsContext);
    } catch (error) {
      (context.stderr ?? process.stderr).write(`${this.binaryName}: ${syntaxErrorSentence(error, input, this)}\n`);
      return ExitCode.failure;
    }
    return super.run(command, context as StsContext);
  }
}

export function buildCli(): Cli<StsContext> {
  const cli = new StsCli({ binaryLabel: 'stsftw', binaryName: 'sts', binaryVersion: cliVersion, enableCapture: false });
  cli.register(HelpCommand); // Builtins.HelpCommand plus examples
  cli.register(Builtins.VersionCommand);
  // requester / approver commands
  // (registered by cli/commands/*.ts; keep one line per command)
  cli.register(RequestCommand);
  cli.register(WaitCommand);
  cli.register(StatusCommand);
  cli.register(GetCommand);
  cli.register(ExecCommand);
  cli.register(ApproveCommand);
  cli.register(DenyCommand);
  cli.register(CacheCommand);
  cli.register(CacheClearCommand);
  cli.register(ConfigureCommand);
  // admin commands
  cli.register(EnrollCommand);
  cli.register(ListCommand);
  cli.register(UpdateCommand);
  cli.register(UpdateRolesCommand);
  cli.register(UpdateAuthorizersCommand);
  cli.register(UpdateApprovalsCommand);
  cli.register(UpdateDeviceCommand);
  cli.register(RemoveCommand);
  cli.register(MigrateCommand);
  cli.register(ServerCommand);
  return cli;
}
