/**
 * The options of the administrator commands (`enroll`, `list`, `update …`, `remove`, `migrate`) on top of
 * the shared ones: they talk to the auth table directly with the operator's own AWS credentials (or the
 * embedded broker's dynalite with `--local`), not to the broker's HTTP API. Settings, validation and error
 * reporting are the base's (cli/command.ts); the sentences for AWS failures are cli/sentences/admin.ts.
 */
import { validateName } from '../../lambdas/core/entries.js';
import { StsCommand } from '../command.js';
import { ignoredEndpointOption, logLevelOption } from '../legacy-options.js';
import { awsRegionOption, kmsKeyIdOption, tableNameOption } from '../options.js';
import type { AwsHints } from '../sentences/describe.js';
import type { RequiredSetting } from '../sentences/settings.js';
import { requireSettings } from '../settings.js';
import type { AdminBackend } from './backend.js';

/** An administrator command; subclasses implement `run()`. */
export abstract class AdminCommand extends StsCommand {
  tableName = tableNameOption();
  kmsKeyId = kmsKeyIdOption();
  region = awsRegionOption();

  // STSFTW 1.0 took these on every command: accepted, ignored with a note.
  logLevel = logLevelOption();
  legacyEndpoint = ignoredEndpointOption();

  private backendHandle?: AdminBackend;

  /** The failing command's table, key and broker, for the sentences of AWS failures. */
  protected override awsHints(): AwsHints {
    const settings = this.resolvedSettings();
    return {
      tableName: this.backendHandle?.tableName ?? this.tableName,
      kmsKeyId: this.kmsKeyId,
      local: settings?.local ?? this.local,
      dataDir: settings?.dataDir ?? this.dataDir,
    };
  }

  /**
   * The validated names in `keys`, after checking that everything the command needs is set: those names,
   * on AWS the auth table, and with `kms` (commands that encrypt secrets) the KMS key. Every missing
   * setting is named in one sentence (exit 64).
   */
  protected requireAdminSettings<K extends 'issuer' | 'accountName'>(
    keys: readonly K[],
    options: { kms?: boolean } = {},
  ): Record<K, string> {
    const settings = this.settings();
    const aws: RequiredSetting[] = settings.local ? [] : ['tableName', ...(options.kms ? ['kmsKeyId' as const] : [])];
    const values = {
      ...settings,
      tableName: this.tableName || this.context.env.STS_TABLE_NAME,
      kmsKeyId: this.kmsKeyId,
    };
    requireSettings(values, [...keys, ...aws]);
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
      const options = { local, dataDir, tableName: this.tableName, region: this.region, kmsKeyId: this.kmsKeyId };
      this.backendHandle = this.use(await openBackend({ ...options, env: this.context.env }));
    }
    return this.backendHandle;
  }

  /** Writes `value` as pretty JSON to stdout. */
  protected printJson(value: unknown): void {
    this.context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}
