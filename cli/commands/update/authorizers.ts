import { Command, Option } from 'clipanion';
import { type ApprovalRule, formatApprovalRule } from '../../../lambdas/core/approval-rules.js';
import { validateAuthorizers } from '../../../lambdas/core/entries.js';
import { InvalidRequestError } from '../../../lambdas/core/errors.js';
import { AdminCommand } from '../../admin/admin-command.js';
import { assertRulesKeep } from '../../admin/approval-rules.js';
import { listOption } from '../../admin/list-options.js';
import { listText } from '../../admin/table.js';
import { updateEntry } from '../../admin/update-entry.js';
import { warnUnknownAuthorizers } from '../../admin/warnings.js';
import { notEnrolled, ruleLosesApprovers } from '../../sentences/admin.js';

/** `sts update authorizers`: replaces who may approve an account's requests. */
export class UpdateAuthorizersCommand extends AdminCommand {
  static paths = [['update', 'authorizers']];

  static usage = Command.Usage({
    category: 'Administration',
    description: 'Replace the secondary authorizers of an account',
    details: `
      Sets the secondary authorizers of \`--account-name\` in \`--issuer\` to exactly the accounts given (one
      argument each, or comma-separated; same issuer, not the account itself): any one of them must approve
      its requests. Quote a name with spaces: \`sts update authorizers "Bob Smith" carol\`.
      \`--none\` removes them all, so the account's own code is enough. The entry must exist. Approval rules
      that rely on the secondary authorizers must still hold: as many of them as the rule needs, all enrolled
      (see \`sts update approvals\`).
    `,
    examples: [
      ['Let bob or carol approve alice', '$0 update authorizers bob carol --issuer acme --account-name alice'],
      ['No second approval for ci', '$0 update authorizers --none --local --issuer acme --account-name ci'],
    ],
  });

  names = Option.Rest({ name: 'names' });

  // STSFTW 1.0 spelled it `sts update authorizers --secondary-authorizers X`.
  legacyNames = Option.Array('--secondary-authorizers', { hidden: true });

  none = Option.Boolean('--none', false, { description: 'Remove all secondary authorizers' });

  private given(): string[] {
    return listOption([...this.names, ...(this.legacyNames ?? [])], undefined, 'names') ?? [];
  }

  protected override validate(): void {
    const given = this.given();
    if (this.none && given.length > 0) throw new InvalidRequestError('Give account names or --none, not both.');
    if (!this.none && given.length === 0) {
      throw new InvalidRequestError('Name at least one secondary authorizer (or pass --none to remove them all).');
    }
  }

  protected async run(): Promise<number> {
    const { issuer, accountName } = this.requireAdminSettings(['issuer', 'accountName']);
    const given = this.given();
    const authorizers = validateAuthorizers(accountName, given);
    const backend = await this.backend();
    const entry = await backend.store.get(issuer, accountName);
    if (!entry) throw notEnrolled(issuer, accountName);
    const who = { issuer, accountName, local: this.settings().local };
    const next = { ...entry, secondaryAuthorization: authorizers };
    const refuse = (rule: ApprovalRule) =>
      ruleLosesApprovers(who, { ...rule, text: formatApprovalRule(rule) }, authorizers.length);
    await assertRulesKeep(backend.store, next, entry.approvalRules, refuse, { authorizers: true });
    const view = await updateEntry(backend.store, issuer, accountName, { secondaryAuthorization: authorizers });
    if (this.json) this.printJson(view);
    else {
      this.context.stdout.write(
        `Secondary authorizers of ${accountName} in ${issuer}: ${listText(view.secondaryAuthorization)}.\n`,
      );
    }
    await warnUnknownAuthorizers(backend.store, issuer, authorizers, this.context.stderr);
    return 0;
  }
}
