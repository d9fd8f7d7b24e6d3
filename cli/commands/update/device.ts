import { Command, Option } from 'clipanion';
import { isAppError } from '../../../lambdas/core/errors.js';
import { AdminCommand } from '../../admin/admin-command.js';
import { jsonNeedsNoVerify, notEnrolled } from '../../sentences/admin.js';

/** `sts update device`: re-enrolls an account's TOTP device (a new secret). */
export class UpdateDeviceCommand extends AdminCommand {
  static paths = [['update', 'device']];

  static usage = Command.Usage({
    category: 'Administration',
    description: 'Replace the TOTP device of an account',
    details: `
      Generates a new TOTP secret for \`--account-name\` in \`--issuer\`, shows it as a QR code and asks for two
      codes from two consecutive 30-second windows, then stores it encrypted. The old device stops working
      and the failed-attempt counter and any lockout are reset. Roles and authorizers are kept.

      \`--json --no-verify\` prints \`{issuer, accountName, otpauthUrl}\` instead, for automation.
    `,
    examples: [
      ['Alice has a new phone', '$0 update device --issuer acme --account-name alice --kms-key-id alias/stsftw'],
      ['In the embedded broker', '$0 update device --local --issuer acme --account-name bob'],
    ],
  });

  verify = Option.Boolean('--verify', true, {
    description: 'Ask for two codes to check the device (--no-verify skips it)',
  });

  protected override validate(): void {
    if (this.json && this.verify) throw jsonNeedsNoVerify();
  }

  protected async run(): Promise<number> {
    const { issuer, accountName } = this.requireAdminSettings(['issuer', 'accountName'], { kms: true });
    const backend = await this.backend();
    const cipher = await backend.cipher();
    if (!(await backend.store.get(issuer, accountName))) throw notEnrolled(issuer, accountName);

    // Lazy: otpauth and the QR renderer are only needed here, not on every `sts` start.
    const { setUpDevice } = await import('../../admin/device-setup.js');
    const { otpauthUrl, lastStep } = await setUpDevice(this.terminal(), issuer, accountName, {
      quiet: this.json,
      verify: this.verify,
    });

    const totpSecret = await cipher.encrypt(otpauthUrl, { issuer, account_name: accountName });
    try {
      await backend.store.update(issuer, accountName, { totpSecret, resetCounters: true });
    } catch (error) {
      if (isAppError(error) && error.code === 'conflict') throw notEnrolled(issuer, accountName);
      throw error;
    }
    // The codes typed during the check were on screen: mark their step used so they cannot be replayed.
    if (lastStep !== undefined) await backend.store.consumeStep(issuer, accountName, lastStep, new Date());

    if (this.json) this.printJson({ issuer, accountName, otpauthUrl });
    else this.context.stdout.write(`Replaced the TOTP device of ${accountName} in ${issuer}.\n`);
    return 0;
  }
}
