import { Command, Option } from 'clipanion';
import { InvalidRequestError, isAppError } from '../../lambdas/core/errors.js';
import { AdminCommand } from '../admin/admin-command.js';
import { warnBrokenQuorums } from '../admin/warnings.js';
import { notEnrolled } from '../sentences/admin.js';

/** `sts remove`: deletes an account entry (and so its TOTP device). */
export class RemoveCommand extends AdminCommand {
  static paths = [['remove']];

  static usage = Command.Usage({
    category: 'Administration',
    description: 'Remove an enrolled account',
    details: `
      Deletes the entry of \`--account-name\` in \`--issuer\`: the account can no longer request or approve.
      Asks for confirmation unless \`--yes\` is given. Accounts that named it as a secondary authorizer keep
      the name (update them with \`sts update authorizers\`); an approval rule left with fewer approvers than it
      needs is named in a warning (\`sts update approvals\` fixes it).
    `,
    examples: [
      ['Remove alice, asking first', '$0 remove --issuer acme --account-name alice --table-name stsftw-auth'],
      ['Remove without asking', '$0 remove --local --issuer acme --account-name alice --yes'],
    ],
  });

  yes = Option.Boolean('--yes,-y', false, { description: 'Do not ask for confirmation' });

  protected async run(): Promise<number> {
    const { issuer, accountName } = this.requireAdminSettings(['issuer', 'accountName']);
    const backend = await this.backend();
    if (!(await backend.store.get(issuer, accountName))) throw notEnrolled(issuer, accountName);

    if (!this.yes) {
      const terminal = this.terminal();
      if (!terminal.interactive)
        throw new InvalidRequestError('No terminal to confirm on: pass --yes to remove without asking.');
      const answer = await terminal.prompt(
        `Remove ${accountName} from ${issuer}? Its TOTP device stops working. [y/N] `,
      );
      if (!/^\s*y(es)?\s*$/i.test(answer)) {
        this.context.stderr.write('Nothing was removed.\n');
        return 1;
      }
    }

    try {
      await backend.store.remove(issuer, accountName);
    } catch (error) {
      // Someone else removed it between the check and now.
      if (isAppError(error) && error.code === 'conflict') throw notEnrolled(issuer, accountName);
      throw error;
    }
    if (this.json) this.printJson({ issuer, accountName, removed: true });
    else this.context.stdout.write(`Removed ${accountName} from ${issuer}.\n`);
    await warnBrokenQuorums(backend.store, issuer, accountName, this.context.stderr);
    return 0;
  }
}
