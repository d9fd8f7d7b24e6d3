import { Command, Option } from 'clipanion';
import { type ApprovalRule, parseApprovalRule, validateApprovalRules } from '../../lambdas/core/approval-rules.js';
import { newEntry, validateAuthorizers, validateRoles } from '../../lambdas/core/entries.js';
import { isAppError } from '../../lambdas/core/errors.js';
import { AdminCommand } from '../admin/admin-command.js';
import { checkRules, rulesText } from '../admin/approval-rules.js';
import { listOption } from '../admin/list-options.js';
import { listText } from '../admin/table.js';
import { warnUnknownAuthorizers } from '../admin/warnings.js';
import { alreadyEnrolled, jsonNeedsNoVerify } from '../sentences/admin.js';

/** `sts enroll`: creates an account entry with a fresh TOTP device. */
export class EnrollCommand extends AdminCommand {
  static paths = [['enroll']];

  static usage = Command.Usage({
    category: 'Administration',
    description: 'Enroll an account and its TOTP device',
    details: `
      Generates a new TOTP secret for \`--account-name\` in \`--issuer\`, shows it as a QR code for an
      authenticator app, and asks for two codes from two consecutive 30-second windows to prove the app holds
      it. The secret is stored encrypted (KMS on AWS, the local key with \`--local\`) and never written anywhere
      else.

      Lists may be repeated and also come from \`STS_ROLES\` and \`STS_SECONDARY_AUTHORIZERS\`: \`--roles\` is
      comma- or space-separated; \`--secondary-authorizers\` is comma-separated, since names may have inner
      spaces as STSFTW 1.0 allowed (\`--issuer "Some Account"\`, \`--secondary-authorizers "Bob Smith, carol"\`).
      An existing entry is only replaced with \`--force\` (rules included: only the \`--approvals\` given).

      \`--approvals ROLE=N\` (repeatable) sets how many distinct approvers a role needs (0 to 5): \`ReadOnly=0\` is
      self-service, \`Admin=1\` needs one of the secondary authorizers, \`BreakGlass=2:sec1,sec2\` needs two
      of its own list. \`*\` stands for every role without a rule of its own. A role without a rule needs one
      secondary authorizer when the entry names any, none otherwise (as in STSFTW 1.0). The rules are checked
      before the QR code is shown: each role is one of \`--roles\`, N is at most the number of approvers, and
      the approvers are enrolled in the issuer (and not the account itself).

      For automation, \`--json --no-verify\` prints \`{issuer, accountName, otpauthUrl}\` instead of the QR code;
      hand the URL to the account owner over a secure channel.
    `,
    examples: [
      [
        'Enroll alice, who may assume two roles with bob or carol approving',
        '$0 enroll --issuer acme --account-name alice --table-name stsftw-auth --kms-key-id alias/stsftw --roles admin,readonly --secondary-authorizers bob,carol',
      ],
      [
        'Enroll alice with self-service ReadOnly, Admin with one approver and BreakGlass with two of the security team',
        "$0 enroll --local --issuer acme --account-name alice --roles ReadOnly,Admin,BreakGlass --secondary-authorizers bob --approvals ReadOnly=0 --approvals Admin=1 --approvals 'BreakGlass=2:sec1,sec2'",
      ],
      ['Enroll an approver-only account in the embedded broker', '$0 enroll --local --issuer acme --account-name bob'],
      ['Enroll from a script', '$0 enroll --issuer acme --account-name ci --roles deploy --no-verify --json'],
    ],
  });

  roles = Option.Array('--roles', {
    description: 'Roles the account may assume: names or role ARNs (env STS_ROLES)',
  });

  authorizers = Option.Array('--secondary-authorizers', {
    description: 'Accounts of the same issuer, any one of which must approve (env STS_SECONDARY_AUTHORIZERS)',
  });

  approvals = Option.Array('--approvals', {
    description: 'ROLE=N or ROLE=N:a,b — N distinct approvals (0–5) for ROLE, or * for every other role (repeatable)',
  });

  verify = Option.Boolean('--verify', true, {
    description: 'Ask for two codes to check the device (--no-verify skips it)',
  });

  force = Option.Boolean('--force', false, { description: 'Replace an existing entry (and its device)' });

  private rules: ApprovalRule[] = [];

  protected override validate(): void {
    if (this.json && this.verify) throw jsonNeedsNoVerify();
    this.rules = (this.approvals ?? []).map(parseApprovalRule);
  }

  protected async run(): Promise<number> {
    const { issuer, accountName } = this.requireAdminSettings(['issuer', 'accountName'], { kms: true });
    const roles = validateRoles(listOption(this.roles, this.context.env.STS_ROLES) ?? []);
    const authorizers = validateAuthorizers(
      accountName,
      listOption(this.authorizers, this.context.env.STS_SECONDARY_AUTHORIZERS, 'names') ?? [],
    );
    const owner = { issuer, accountName, roles, secondaryAuthorization: authorizers };
    validateApprovalRules(owner, this.rules);

    const backend = await this.backend();
    // Before showing a QR code: fail on a missing KMS key, an existing entry or a rule naming an account that
    // is not enrolled before anyone scans anything.
    const cipher = await backend.cipher();
    if (!this.force && (await backend.store.get(issuer, accountName))) throw alreadyEnrolled(issuer, accountName);
    const rules = await checkRules(backend.store, owner, this.rules);

    // Lazy: otpauth and the QR renderer are only needed here, not on every `sts` start.
    const { setUpDevice } = await import('../admin/device-setup.js');
    const { otpauthUrl, lastStep } = await setUpDevice(this.terminal(), issuer, accountName, {
      quiet: this.json,
      verify: this.verify,
    });

    const now = new Date();
    const entry = newEntry({
      issuer,
      accountName,
      roles,
      secondaryAuthorization: authorizers,
      totpSecret: await cipher.encrypt(otpauthUrl, { issuer, account_name: accountName }),
      now,
    });
    // The codes typed during the check were on screen: mark their step used so they cannot be replayed.
    if (lastStep !== undefined) entry.lastStep = lastStep;
    if (rules.length > 0) entry.approvalRules = rules;
    try {
      await backend.store.put(entry, { overwrite: this.force });
    } catch (error) {
      if (isAppError(error) && error.code === 'conflict') throw alreadyEnrolled(issuer, accountName);
      throw error;
    }

    if (this.json) {
      this.printJson({ issuer, accountName, otpauthUrl });
    } else {
      const approvals = rules.length > 0 ? `; approvals: ${rulesText(rules)}` : '';
      this.context.stdout.write(
        `Enrolled ${accountName} in ${issuer} (roles: ${listText(roles)}; secondary authorizers: ${listText(authorizers)}${approvals}).\n`,
      );
    }
    await warnUnknownAuthorizers(backend.store, issuer, authorizers, this.context.stderr);
    return 0;
  }
}
