import { Command } from 'clipanion';
import { ConflictError } from '../../lambdas/core/errors.js';
import { AdminCommand } from '../admin/admin-command.js';

/** `sts migrate`: encrypts the plaintext TOTP secrets of an STSFTW 1.0 auth table. */
export class MigrateCommand extends AdminCommand {
  static paths = [['migrate']];

  static usage = Command.Usage({
    category: 'Administration',
    description: 'Migrate an STSFTW 1.0 auth table to 2.0',
    details: `
      STSFTW 1.0 stored each account's otpauth URL (its TOTP secret) in plaintext in the \`url\` attribute.
      This command encrypts it into \`totp_secret\` (KMS with \`--kms-key-id\` on AWS, the local key with
      \`--local\`) and removes \`url\`, item by item, in \`--table-name\`. Role and authorizer string sets
      become lists. Devices keep working: the secret itself does not change.

      Safe to run again: migrated items are counted as already done. Entries without any secret are reported
      as skipped (1.0 let them authenticate; 2.0 never does), to be re-enrolled with \`sts update device\`.
      Every entry 2.0 cannot use as it stands is listed on stderr with the reason and what to do (a name with
      a leading or trailing space, a control character, ":" or "/"; a role or authorizer 2.0 refuses; an
      otpauth URL with other parameters than SHA1, 6 digits, 30 s); its secret is encrypted all the same.
      \`--issuer\` and \`--account-name\` are ignored: the whole table is migrated.
    `,
    examples: [
      ['Migrate the 1.0 table', '$0 migrate --table-name sts-auth --kms-key-id alias/stsftw --region eu-west-1'],
      ['Report as JSON', '$0 migrate --table-name sts-auth --kms-key-id alias/stsftw --json'],
    ],
  });

  protected async run(): Promise<number> {
    this.requireAdminSettings([], { kms: true });
    const backend = await this.backend();
    const cipher = await backend.cipher();
    const { migrateTable, formatReport, skipReasons } = await import('../admin/migration.js');
    const report = await migrateTable(backend.dynamodb, backend.tableName, cipher);
    for (const { issuer, accountName, reason } of report.cannotCarryOver) {
      this.context.stderr.write(`cannot carry over ${issuer}/${accountName}: ${reason}.\n`);
    }
    if (this.json) this.printJson(report);
    else this.context.stdout.write(`${formatReport(report)}.\n`);
    // Items that changed mid-run still hold their plaintext URL: a script must not take this for success.
    const pending = report.skipped.filter((item) => item.reason === skipReasons.changed).length;
    if (pending > 0) {
      const which =
        pending === 1
          ? 'entry changed during the migration and still holds'
          : 'entries changed during the migration and still hold';
      throw new ConflictError(`${pending} ${which} a plaintext secret: run \`sts migrate\` again.`);
    }
    return 0;
  }
}
