/**
 * The one sentence for missing settings, shared by every command (requester, approver, administrator):
 * each missing setting is named with its flag, its `STS_*` variable and, where a profile can hold it,
 * `sts configure`; all of them in one message, exit 64 (sysexits EX_USAGE).
 */
import { CliError, ExitCode } from './errors.js';

/** A setting a command may need. */
export type RequiredSetting = 'endpoint' | 'issuer' | 'accountName' | 'role' | 'tableName' | 'kmsKeyId';

interface Requirement {
  what: string;
  flag: string;
  env: string;
  /** Said after the variable, e.g. where its value comes from. */
  note?: string;
  /** `sts configure <flag>` saves it in a profile. */
  configure: boolean;
  /** The last way out, e.g. the embedded broker. */
  otherwise?: string;
}

const LOCAL_BROKER = 'use --local for the embedded broker (`sts server`)';

const requirements: Record<RequiredSetting, Requirement> = {
  endpoint: {
    what: 'broker endpoint',
    flag: '--endpoint URL',
    env: 'STS_ENDPOINT',
    configure: true,
    otherwise: 'use --local with `sts server`',
  },
  issuer: { what: 'issuer', flag: '--issuer NAME', env: 'STS_ISSUER', configure: true },
  accountName: { what: 'account name', flag: '--account-name NAME', env: 'STS_ACCOUNT_NAME', configure: true },
  role: { what: 'role', flag: '--role NAME', env: 'STS_ROLE', configure: true },
  tableName: {
    what: 'auth table',
    flag: '--table-name NAME',
    env: 'STS_TABLE_NAME',
    note: 'a stack output names it',
    configure: false,
    otherwise: LOCAL_BROKER,
  },
  kmsKeyId: {
    what: 'KMS key for the TOTP secrets',
    flag: '--kms-key-id KEY',
    env: 'STS_KMS_KEY_ID',
    note: 'a stack output names it',
    configure: false,
    otherwise: LOCAL_BROKER,
  },
};

function ways(requirement: Requirement): string {
  const { flag, env, note, configure, otherwise } = requirement;
  const list = [`pass ${flag}`, `set ${env}${note ? ` (${note})` : ''}`];
  if (configure) list.push(`run \`sts configure ${flag}\``);
  if (otherwise) list.push(otherwise);
  return `${list.slice(0, -1).join(', ')}, or ${list[list.length - 1]}`;
}

function and(items: string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The usage error naming every setting in `missing` (in the order given) and how to set each. */
export function missingSettingsError(missing: readonly RequiredSetting[]): CliError {
  const wanted = missing.map((key) => requirements[key]);
  if (wanted.length === 1) return new CliError(`No ${wanted[0].what}: ${ways(wanted[0])}.`, ExitCode.usage);
  const head = and(wanted.map((r) => `no ${r.what}`));
  const each = wanted.map((r) => `for the ${r.what} ${ways(r)}`).join('; ');
  return new CliError(`${head.charAt(0).toUpperCase()}${head.slice(1)}: ${each}.`, ExitCode.usage);
}

/**
 * The values of `keys` in `values`, or one error naming every one that is unset or empty.
 * @throws CliError (exit 64) listing all missing settings.
 */
export function requireSettings<K extends RequiredSetting>(
  values: Partial<Record<RequiredSetting, string | undefined>>,
  keys: readonly K[],
): Record<K, string> {
  const missing = keys.filter((key) => !values[key]);
  if (missing.length > 0) throw missingSettingsError(missing);
  return Object.fromEntries(keys.map((key) => [key, values[key]])) as Record<K, string>;
}
