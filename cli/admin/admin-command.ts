/**
 * Base of the administrator commands (`enroll`, `list`, `update …`, `remove`, `migrate`). They talk to the
 * auth table directly with the operator's own AWS credentials (or the embedded broker's dynalite with
 * `--local`), not to the broker's HTTP API. Owns the shared options and the error → exit code mapping.
 * Issuer, account name, local mode and data dir resolve like every other command's (cli/settings.ts: flag,
 * `STS_*` variable, config-file profile, default); a missing setting is the shared sentence, exit 64.
 */
import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { validateName } from '../../lambdas/core/entries.js';
import type { StsContext } from '../context.js';
import { ignoredEndpointOption, ignoredFlagNotes, logLevelOption } from '../legacy-options.js';
import { missingSettingsError, type RequiredSetting } from '../required-settings.js';
import { DEFAULT_DATA_DIR, resolveProfileSettings, type Settings } from '../settings.js';
import { systemTerminal, type Terminal } from '../terminal.js';
import type { AdminBackend } from './backend.js';
import { describeError } from './describe-error.js';

/** Shared options and plumbing; subclasses implement `run()` and return its exit code. */
export abstract class AdminCommand extends Command {
  issuer = Option.String('--issuer', {
    env: 'STS_ISSUER',
    description: 'Issuer (team or organisation) the account belongs to (env STS_ISSUER)',
  });

  accountName = Option.String('--account-name', {
    env: 'STS_ACCOUNT_NAME',
    description: 'Account name within the issuer (env STS_ACCOUNT_NAME)',
  });

  tableName = Option.String('--table-name', {
    description: 'Auth table (env STS_TABLE_NAME; with --local, read from server.json)',
  });

  kmsKeyId = Option.String('--kms-key-id', {
    env: 'STS_KMS_KEY_ID',
    description: 'KMS key that encrypts TOTP secrets on AWS: id, ARN or alias (env STS_KMS_KEY_ID)',
  });

  // No default: not given, the profile decides (`sts configure --local`); --no-local overrides it.
  local = Option.Boolean('--local', {
    description: 'Use the embedded broker (`sts server`) in --data-dir instead of AWS',
  });

  dataDir = Option.String('--data-dir', {
    env: 'STS_DATA_DIR',
    description: `Data directory of the embedded broker (env STS_DATA_DIR, default ${DEFAULT_DATA_DIR})`,
  });

  profile = Option.String('--profile', {
    env: 'STS_PROFILE',
    description: 'Config-file profile to read defaults from (env STS_PROFILE; default "default")',
  });

  region = Option.String('--region', {
    env: 'AWS_REGION',
    description: 'AWS region (env AWS_REGION; default: the SDK configuration)',
    validator: t.cascade(t.isString(), t.matchesRegExp(/^[a-z0-9-]{1,32}$/)),
  });

  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  // STSFTW 1.0 took these on every command: accepted, ignored with a note.
  logLevel = logLevelOption();
  legacyEndpoint = ignoredEndpointOption();

  private backendHandle?: AdminBackend;
  private resolved?: Settings;

  /** The command body; its result is the exit code. Errors thrown here are reported by `execute()`. */
  protected abstract run(): Promise<number>;

  /** Runs the command and turns any failure into one sentence on stderr and its exit code. */
  async execute(): Promise<number> {
    for (const note of ignoredFlagNotes({ logLevel: this.logLevel, endpoint: this.legacyEndpoint })) {
      this.context.stderr.write(note);
    }
    try {
      return await this.run();
    } catch (error) {
      const { message, exitCode } = describeError(error, {
        tableName: this.backendHandle?.tableName ?? this.tableName,
        kmsKeyId: this.kmsKeyId,
        local: this.resolved?.local ?? this.local,
        dataDir: this.resolved?.dataDir ?? this.dataDir,
      });
      this.context.stderr.write(`sts: ${message}\n`);
      return exitCode;
    } finally {
      this.backendHandle?.close();
    }
  }

  /** Issuer, account name, local mode and data dir: flag, variable, profile, default (computed once). */
  protected settings(): Settings {
    this.resolved ??= resolveProfileSettings(
      {
        issuer: this.issuer,
        accountName: this.accountName,
        profile: this.profile,
        local: this.local,
        dataDir: this.dataDir,
      },
      this.context.env,
    );
    return this.resolved;
  }

  /**
   * The validated names in `keys`, after checking that everything the command needs is set: those names,
   * on AWS the auth table, and with `kms` (commands that encrypt secrets) the KMS key. Every missing
   * setting is named in one sentence (exit 64).
   */
  protected requireSettings<K extends 'issuer' | 'accountName'>(
    keys: readonly K[],
    options: { kms?: boolean } = {},
  ): Record<K, string> {
    const settings = this.settings();
    const missing: RequiredSetting[] = keys.filter((key) => !settings[key]);
    if (!settings.local && !(this.tableName || this.context.env.STS_TABLE_NAME)) missing.push('tableName');
    if (options.kms && !settings.local && !this.kmsKeyId) missing.push('kmsKeyId');
    if (missing.length > 0) throw missingSettingsError(missing);
    const kinds = { issuer: 'issuer', accountName: 'account name' } as const;
    return Object.fromEntries(keys.map((key) => [key, validateName(kinds[key], settings[key] as string)])) as Record<
      K,
      string
    >;
  }

  /** The auth table (and cipher) for these options; opened once, closed when the command ends. */
  protected async backend(): Promise<AdminBackend> {
    if (!this.backendHandle) {
      const { openBackend } = await import('./backend.js');
      const { local, dataDir } = this.settings();
      this.backendHandle = await openBackend({
        local,
        dataDir,
        tableName: this.tableName,
        region: this.region,
        kmsKeyId: this.kmsKeyId,
        env: this.context.env,
      });
    }
    return this.backendHandle;
  }

  /** The terminal for QR codes and prompts: /dev/tty, or the one a test injects into the context. */
  protected terminal(): Terminal {
    return (this.context as StsContext).terminal ?? systemTerminal(this.context.stderr);
  }

  /** Writes `value` as pretty JSON to stdout. */
  protected printJson(value: unknown): void {
    this.context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}
