/**
 * What the CLI says about its settings: the one sentence for missing settings, shared by every command
 * (requester, approver, administrator: each missing setting named with its flag, its `STS_*` variable and,
 * where a profile can hold it, `sts configure`; all in one message, exit 64), the config file's problems,
 * and no local broker in the data dir. Loaded by the warm credential_process path: plain strings only.
 */
import { CliError, ExitCode } from '../errors.js';

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

/** "No local broker in DIR": how to start one (exit 69, as every "broker unreachable"). */
export function noLocalBroker(dataDir: string): CliError {
  return new CliError(
    `No local broker found in ${dataDir}: start one with \`sts server --data-dir ${dataDir}\`, or drop --local.`,
    ExitCode.unavailable,
  );
}

/** The config file exists but cannot be read. */
export function configUnreadable(path: string, code: string | undefined): CliError {
  return new CliError(`Cannot read ${path} (${code}): check its permissions.`);
}

/** The config file is not JSON, or has no `profiles` object. */
export function configBroken(path: string, problem: 'json' | 'profiles'): CliError {
  const what = problem === 'json' ? 'is not valid JSON' : 'has no "profiles" object';
  return new CliError(`${path} ${what}: fix it, or rewrite it with \`sts configure\`.`);
}

/** `--profile` / `STS_PROFILE` names a profile the file does not have (`sts configure` alone adds "or --local"). */
export function noSuchProfile(name: string, path: string, orLocal = false): CliError {
  return new CliError(
    `No profile "${name}" in ${path}: create it with \`sts configure --profile ${name} --endpoint URL …\`${orLocal ? ' (or --local)' : ''}.`,
  );
}
