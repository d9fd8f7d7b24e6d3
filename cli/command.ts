/**
 * The base of every `sts` command that takes connection settings: the shared options, settings from flag →
 * `STS_*` variable → config-file profile → default, `validate()` (cross-option rules) before `run()`, and the
 * one place an error becomes a sentence and an exit code. Everything else is a service the commands call.
 */
import { Command } from 'clipanion';
import { BrokerSession } from './broker-session.js';
import type { StsContext } from './context.js';
import { ExitCode } from './errors.js';
import { ignoredFlagNotes } from './legacy-options.js';
import { accountNameOption, dataDirOption, issuerOption, jsonOption, localOption, profileOption } from './options.js';
import { type AwsHints, reportError } from './sentences/describe.js';
import type { RequiredSetting } from './sentences/settings.js';
import { brokerEndpoint, requireSettings, resolveProfileSettings, type Settings } from './settings.js';
import { systemTerminal, type Terminal } from './terminal.js';

/** Options a command may declare that the base reads by their field names (settings and STSFTW 1.0 flags). */
interface DeclaredOptions {
  endpoint?: string;
  role?: string;
  secondaryAuthorizer?: string;
  logLevel?: string;
  legacyEndpoint?: string;
  legacyTableName?: string;
}

/** Shared options, settings, validation and error reporting; subclasses implement `run()`. */
export abstract class StsCommand extends Command<StsContext> {
  issuer = issuerOption();
  accountName = accountNameOption();
  local = localOption();
  dataDir = dataDirOption();
  profile = profileOption();
  json = jsonOption();

  private resolved?: Settings;
  private brokerSession?: BrokerSession;
  private readonly resources: { close(): unknown }[] = [];

  /** The command's work; returns the exit code (undefined = 0). */
  protected abstract run(): Promise<number | undefined>;

  /** Cross-option rules, checked before `run()`: throws the sentence of the first one broken. */
  protected validate(): void {}

  /** What an administrator command talks to, for the sentences of AWS failures (others talk to none). */
  protected awsHints(): AwsHints | undefined {
    return undefined;
  }

  /** Notes for ignored STSFTW 1.0 flags, `validate()`, `run()`; any error → one sentence on stderr and its exit code. */
  async execute(): Promise<number> {
    const { logLevel, legacyEndpoint, legacyTableName } = this as DeclaredOptions;
    for (const note of ignoredFlagNotes({ logLevel, endpoint: legacyEndpoint, tableName: legacyTableName })) {
      this.context.stderr.write(note);
    }
    try {
      this.validate();
      return (await this.run()) ?? ExitCode.ok;
    } catch (error) {
      return reportError(this.context.stderr, error, this.context.env, this.awsHints());
    } finally {
      for (const resource of this.resources.splice(0).reverse()) await resource.close();
    }
  }

  /** Settings from the shared options and the setting options this command declares (computed once). */
  protected settings(): Settings {
    if (!this.resolved) {
      const { endpoint, role, secondaryAuthorizer } = this as DeclaredOptions;
      const { issuer, accountName, profile, local, dataDir } = this;
      const flags = { endpoint, issuer, accountName, role, secondaryAuthorizer, profile, local, dataDir };
      this.resolved = resolveProfileSettings(flags, this.context.env);
    }
    return this.resolved;
  }

  /** The settings if something already resolved them (error sentences must not resolve them again). */
  protected resolvedSettings(): Settings | undefined {
    return this.resolved;
  }

  /**
   * The values of `keys`, or one sentence naming every missing one and how to set it (exit 64). With
   * `--local` (or a local profile) the endpoint is the one of the broker in the data dir.
   */
  protected requireSettings<K extends Exclude<RequiredSetting, 'tableName' | 'kmsKeyId'>>(
    ...keys: K[]
  ): Record<K, string> {
    const settings = this.settings();
    return requireSettings(
      keys.includes('endpoint' as K) ? { ...settings, endpoint: brokerEndpoint(settings) } : settings,
      keys,
    );
  }

  /** Ctrl-C, sleep, clock and broker clients for this run (opened on first use, closed at the end). */
  protected session(): BrokerSession {
    this.brokerSession ??= this.use(new BrokerSession(this.context));
    return this.brokerSession;
  }

  /** Closes `resource` when the command ends, whatever happens. */
  protected use<T extends { close(): unknown }>(resource: T): T {
    this.resources.push(resource);
    return resource;
  }

  /** The terminal for prompts and QR codes: /dev/tty, or the one a test injects into the context. */
  protected terminal(): Terminal {
    return this.context.terminal ?? systemTerminal(this.context.stderr);
  }

  /** Writes a result line to stdout. */
  protected out(text: string): void {
    this.context.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Writes a progress or information line to stderr. */
  protected info(text: string): void {
    this.context.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}
