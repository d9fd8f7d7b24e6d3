import { Command, Option } from 'clipanion';
import { formatApprovalRule } from '../../../lambdas/core/approval-rules.js';
import { validateRoles } from '../../../lambdas/core/entries.js';
import { InvalidRequestError } from '../../../lambdas/core/errors.js';
import { AdminCommand } from '../../admin/admin-command.js';
import { assertRulesKeep } from '../../admin/approval-rules.js';
import { listOption } from '../../admin/list-options.js';
import { listText } from '../../admin/table.js';
import { updateEntry } from '../../admin/update-entry.js';
import { notEnrolled, ruleLosesRole } from '../../sentences/admin.js';

/** `sts update roles`: replaces the roles an account may assume. */
export class UpdateRolesCommand extends AdminCommand {
  static paths = [['update', 'roles']];

  static usage = Command.Usage({
    category: 'Administration',
    description: 'Replace the roles an account may assume',
    details: `
      Sets the roles of \`--account-name\` in \`--issuer\` to exactly the ones given (role names or role ARNs,
      comma- or space-separated). \`--none\` removes all roles, leaving an account that can only approve.
      The entry must exist. A role that has an approval rule cannot be left out: clear its rule first with
      \`sts update approvals --clear ROLE\`.
    `,
    examples: [
      ['Let alice assume admin and readonly', '$0 update roles admin readonly --issuer acme --account-name alice'],
      ['Make bob an approver only', '$0 update roles --none --local --issuer acme --account-name bob'],
    ],
  });

  roles = Option.Rest({ name: 'roles' });

  // STSFTW 1.0 spelled it `sts update roles --roles X`; kept so its scripts keep working.
  legacyRoles = Option.Array('--roles', { hidden: true });

  none = Option.Boolean('--none', false, { description: 'Remove all roles' });

  private given(): string[] {
    return listOption([...this.roles, ...(this.legacyRoles ?? [])], undefined) ?? [];
  }

  protected override validate(): void {
    const given = this.given();
    if (this.none && given.length > 0) throw new InvalidRequestError('Give roles or --none, not both.');
    if (!this.none && given.length === 0) {
      throw new InvalidRequestError('Name at least one role (or pass --none to remove them all).');
    }
  }

  protected async run(): Promise<number> {
    const { issuer, accountName } = this.requireAdminSettings(['issuer', 'accountName']);
    const roles = validateRoles(this.given());
    const store = (await this.backend()).store;
    const entry = await store.get(issuer, accountName);
    if (!entry) throw notEnrolled(issuer, accountName);
    const who = { issuer, accountName, local: this.settings().local };
    await assertRulesKeep(store, { ...entry, roles }, entry.approvalRules, (rule) =>
      ruleLosesRole(who, formatApprovalRule(rule), rule.role),
    );
    const view = await updateEntry(store, issuer, accountName, { roles });
    if (this.json) this.printJson(view);
    else this.context.stdout.write(`Roles of ${accountName} in ${issuer}: ${listText(view.roles)}.\n`);
    return 0;
  }
}
