import { Command, Option } from 'clipanion';
import { type ApprovalRule, parseApprovalRule } from '../../../lambdas/core/approval-rules.js';
import { AdminCommand } from '../../admin/admin-command.js';
import { checkRules, mergeRules, rulesReport } from '../../admin/approval-rules.js';
import { updateEntry } from '../../admin/update-entry.js';
import { noRuleChange, notEnrolled, nothingToClear } from '../../sentences/admin.js';

/** `sts update approvals`: sets or clears the approval rules of some of an account's roles. */
export class UpdateApprovalsCommand extends AdminCommand {
  static paths = [['update', 'approvals']];

  static usage = Command.Usage({
    category: 'Administration',
    description: 'Set or clear the approval rules of an account',
    details: `
      Each \`ROLE=N\` argument sets how many distinct approvers a request for ROLE needs (0 to 5), from the
      secondary authorizers; \`ROLE=N:a,b,c\` names its own approvers instead. \`*\` stands for every role
      without a rule of its own. A rule given replaces that role's rule; \`--clear ROLE\` (repeatable) removes
      it; the other rules stay. A role without a rule needs one secondary authorizer when the entry names any,
      none otherwise (as in STSFTW 1.0).

      The resulting rules are checked before anything is written: each role is one of the entry's roles (as
      the entry names it) or \`*\`, N is at most the number of eligible approvers, and the approvers are
      enrolled in the same issuer and are not the account itself. The entry must exist.
    `,
    examples: [
      [
        'The example team: ReadOnly self-service, Admin one approver, BreakGlass two of the security team',
        "$0 update approvals --issuer acme --account-name alice ReadOnly=0 Admin=1 'BreakGlass=2:sec1,sec2'",
      ],
      ['Back to the default for Admin', '$0 update approvals --local --issuer acme --account-name alice --clear Admin'],
    ],
  });

  rules = Option.Rest({ name: 'ROLE=N[:approver,…]' });

  clear = Option.Array('--clear', { description: "Remove the rule of this role ('*' included; repeatable)" });

  private given: ApprovalRule[] = [];

  protected override validate(): void {
    if (this.rules.length === 0 && !this.clear?.length) throw noRuleChange();
    this.given = this.rules.map(parseApprovalRule);
  }

  protected async run(): Promise<number> {
    const { issuer, accountName } = this.requireAdminSettings(['issuer', 'accountName']);
    const store = (await this.backend()).store;
    const entry = await store.get(issuer, accountName);
    if (!entry) throw notEnrolled(issuer, accountName);

    const cleared = [...new Set((this.clear ?? []).map((role) => role.trim()))];
    const { rules, unmatched } = mergeRules(entry.approvalRules ?? [], this.given, cleared);
    const approvalRules = await checkRules(store, entry, rules);
    const view = await updateEntry(store, issuer, accountName, { approvalRules });
    for (const role of unmatched) this.context.stderr.write(nothingToClear(accountName, role));
    if (this.json) this.printJson(view);
    else this.context.stdout.write(`Approval rules of ${accountName} in ${issuer}: ${rulesReport(view)}.\n`);
    return 0;
  }
}
