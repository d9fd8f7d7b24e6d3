/** `sts cache clear`: forget the credentials `get --format credential-process` and `exec` keep. */
import { Command } from 'clipanion';
import { CliError, ExitCode } from '../errors.js';
import { cacheDir } from '../paths.js';
import { reportError } from '../sentences/describe.js';

/** Removes every cached credential and the cache's key. */
export class CacheClearCommand extends Command {
  static paths = [['cache', 'clear']];
  static usage = Command.Usage({
    category: 'Requester',
    description: 'Forget every cached credential (the credential_process and exec cache)',
    details: `
      Removes the encrypted credentials that \`sts get --format credential-process\` and \`sts exec\` reuse, and the key they are encrypted with. The next call makes a new request. To skip the cache once, use \`--no-cache\` (or give a \`--reason\`).
    `,
    examples: [['Forget them', '$0 cache clear']],
  });

  async execute(): Promise<number> {
    try {
      const { clearCachedCredentials } = await import('../credential-cache.js');
      const removed = clearCachedCredentials(this.context.env);
      this.context.stdout.write(
        removed === 0
          ? 'No cached credentials.\n'
          : `Removed ${removed} cached credential${removed === 1 ? '' : 's'}.\n`,
      );
      return 0;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const error = code
        ? new CliError(`Cannot clear ${cacheDir(this.context.env)} (${code}): check its permissions.`, ExitCode.failure)
        : e;
      return reportError(this.context.stderr, error, this.context.env);
    }
  }
}

/** `sts cache`: the group, so `sts cache --help` says what is in it; alone it is a usage error. */
export class CacheCommand extends Command {
  static paths = [['cache']];
  static usage = Command.Usage({
    category: 'Requester',
    description: 'Manage the credential cache (see `sts cache clear`)',
  });

  async execute(): Promise<number> {
    this.context.stderr.write('sts cache needs a subcommand: clear (see `sts cache clear --help`).\n');
    return 64;
  }
}
