/**
 * The base of `get` and `exec`: the options of a new request (flags, `STS_*` variables, profile) and
 * getting credentials from the encrypted cache or a new request (cli/request-flow/obtain.ts).
 */
import { approverCommand } from './approver-command.js';
import { StsCommand } from './command.js';
import type { CachedCredentials as Credentials } from './credential-cache.js';
import {
  durationOption,
  endpointOption,
  noCacheOption,
  reasonOption,
  roleOption,
  secondaryAuthorizerOption,
  secondaryTotpCodeOption,
  totpCodeOption,
} from './options.js';
import { totpCode } from './prompts.js';

/** Shared by `get` and `exec`. */
export abstract class ObtainCommand extends StsCommand {
  endpoint = endpointOption();
  role = roleOption();
  totpCode = totpCodeOption();
  secondaryAuthorizer = secondaryAuthorizerOption();
  secondaryTotpCode = secondaryTotpCodeOption();
  duration = durationOption();
  reason = reasonOption();
  noCache = noCacheOption();

  /**
   * Credentials from the cache when `useCache` and fresh, else a new request (single shot when a secondary
   * code is given). The TOTP code is asked only when the cache cannot answer; `notice` shows lines to the person.
   */
  protected async obtain(options: { useCache: boolean; notice: (text: string) => void }): Promise<Credentials> {
    const { endpoint, issuer, accountName, role } = this.requireSettings('endpoint', 'issuer', 'accountName', 'role');
    const session = this.session();
    const { obtainCredentials } = await import('./request-flow/obtain.js');
    return obtainCredentials(session.flowIo(options.notice), {
      endpoint,
      issuer,
      accountName,
      role,
      totpCode: () => totpCode(this.terminal(), this.totpCode, `${accountName} (${issuer})`),
      client: () => session.client(endpoint),
      useCache: options.useCache,
      noCache: this.noCache,
      totpCodeGiven: this.totpCode !== undefined,
      secondaryAccountName: this.settings().secondaryAuthorizer,
      secondaryTotpCode: this.secondaryTotpCode?.replace(/\s/g, ''),
      durationSeconds: this.duration,
      reason: this.reason,
      approveCommand: (id) => approverCommand(this.settings(), id),
    });
  }
}
