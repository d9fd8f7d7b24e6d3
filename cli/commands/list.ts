import { Command } from 'clipanion';
import { entryView } from '../../lambdas/core/entries.js';
import { AdminCommand } from '../admin/admin-command.js';
import { approvalsText } from '../admin/approval-rules.js';
import { formatTable } from '../admin/table.js';

/** `sts list`: the accounts enrolled in an issuer, without their secrets. */
export class ListCommand extends AdminCommand {
  static paths = [['list']];

  static usage = Command.Usage({
    category: 'Administration',
    description: 'List the accounts enrolled in an issuer',
    details: `
      Shows each account of \`--issuer\` with its roles, its secondary authorizers, whether it has a TOTP
      device, until when it is locked out (after too many wrong codes), and what its roles need: its approval
      rules (\`ReadOnly=0, Admin=1, BreakGlass=2:sec1,sec2\`; see \`sts update approvals\`), or for an
      entry without rules STSFTW 1.0's \`1 of the secondary authorizers\` (\`none needed\` without any).
      \`--json\` gives each entry's \`approvalRules\`. Secrets are never shown.
      Reads the issuer's partition with a Query; \`--account-name\` is ignored.
    `,
    examples: [
      ['List the accounts of acme', '$0 list --issuer acme --table-name stsftw-auth'],
      ['As JSON, from the embedded broker', '$0 list --local --issuer acme --json'],
    ],
  });

  protected async run(): Promise<number> {
    const { issuer } = this.requireAdminSettings(['issuer']);
    const backend = await this.backend();
    const views = (await backend.store.list(issuer)).map(entryView);
    if (this.json) {
      this.printJson(views);
      return 0;
    }
    if (views.length === 0) {
      this.context.stderr.write(`No accounts are enrolled in ${issuer}.\n`);
      return 0;
    }
    const now = Date.now();
    const rows = views.map((view) => [
      view.accountName,
      view.roles.join(',') || '-',
      view.secondaryAuthorization.join(',') || '-',
      view.hasSecret ? 'yes' : 'MISSING',
      // A past lock no longer applies; showing it would suggest the account is still locked.
      view.lockedUntil && Date.parse(view.lockedUntil) > now ? view.lockedUntil : '-',
      // Last: it may hold spaces.
      approvalsText(view),
    ]);
    const headers = ['ACCOUNT', 'ROLES', 'AUTHORIZERS', 'DEVICE', 'LOCKED UNTIL', 'APPROVALS'];
    this.context.stdout.write(formatTable(headers, rows));
    return 0;
  }
}
