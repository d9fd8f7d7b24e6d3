/**
 * The `sts` command line: every command class is registered here (one line each).
 * Heavy modules are imported lazily inside `execute()` so `sts --help` and the warm
 * credential_process path stay fast.
 */
import { Builtins, Cli } from 'clipanion';

export const cliVersion = '2.0.0';

export function buildCli(): Cli {
  const cli = new Cli({ binaryLabel: 'stsftw', binaryName: 'sts', binaryVersion: cliVersion, enableCapture: false });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  // requester / approver commands
  // (registered by cli/commands/*.ts; keep one line per command)
  // admin commands
  return cli;
}
