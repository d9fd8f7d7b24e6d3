/**
 * The base of every `sts` command that talks to a broker: the shared options (flag → `STS_*` variable
 * → config-file profile → default) and the one place errors become a sentence and an exit code.
 * Subclasses implement `run()` and return their exit code; `execute()` never throws.
 */

import { resolve } from 'node:path';
import { Command, Option } from 'clipanion';
import type { BrokerClient } from './client.js';
import type { StsContext } from './context.js';
import type { CachedCredentials as Credentials } from './credential-cache.js';
import { CliError, describeError, ExitCode, InterruptedError } from './errors.js';
import { posixValue } from './output.js';
import type { FlowIo } from './request-flow.js';
import { requireSettings } from './required-settings.js';
import { DEFAULT_DATA_DIR, resolveSettings, type Settings } from './settings.js';
import { systemTerminal, type Terminal } from './terminal.js';

/** Shared options and error handling for commands that talk to a broker. */
export abstract class BaseCommand extends Command {
  endpoint = Option.String('--endpoint', {
    env: 'STS_ENDPOINT',
    description: 'Broker URL, e.g. https://sts.example.com (env STS_ENDPOINT)',
  });
  issuer = Option.String('--issuer', {
    env: 'STS_ISSUER',
    description: 'Issuer (the TOTP issuer / team name; env STS_ISSUER)',
  });
  accountName = Option.String('--account-name', {
    env: 'STS_ACCOUNT_NAME',
    description: 'Your account name in that issuer (env STS_ACCOUNT_NAME)',
  });
  // No default: not given, the profile decides (`sts configure --local`); --no-local overrides it.
  local = Option.Boolean('--local', {
    description: 'Use the embedded broker started by `sts server` in --data-dir (its server.json)',
  });
  dataDir = Option.String('--data-dir', {
    env: 'STS_DATA_DIR',
    description: 'Data dir of the embedded broker (env STS_DATA_DIR; default ./.stsftw)',
  });
  profile = Option.String('--profile', {
    env: 'STS_PROFILE',
    description: 'Config-file profile to read defaults from (env STS_PROFILE; default "default")',
  });
  json = Option.Boolean('--json', false, { description: 'Machine-readable JSON output' });

  private resolved?: Settings;
  private interrupt?: AbortController;
  private detachSigint?: () => void;

  /** The command's work; returns the exit code (undefined = 0). */
  protected abstract run(): Promise<number | undefined>;

  /** Runs `run()` and maps any error to one sentence on stderr and its exit code. */
  async execute(): Promise<number> {
    try {
      return (await this.run()) ?? ExitCode.ok;
    } catch (error) {
      return this.report(error);
    } finally {
      this.detachSigint?.();
    }
  }

  /** Prints the sentence for `error` on stderr and returns its exit code. */
  protected report(error: unknown): number {
    const { message, exitCode } = describeError(error, this.context.env);
    this.context.stderr.write(`sts: ${message}\n`);
    return exitCode;
  }

  /** The context with the optional test seams. */
  protected get sts(): StsContext {
    return this.context as StsContext;
  }

  /** Resolved settings (flag, env, profile, default), computed once. */
  protected settings(): Settings {
    this.resolved ??= resolveSettings(
      {
        endpoint: this.endpoint,
        issuer: this.issuer,
        accountName: this.accountName,
        profile: this.profile,
        local: this.local,
        dataDir: this.dataDir,
        ...this.extraSettingFlags(),
      },
      this.context.env,
    );
    return this.resolved;
  }

  /** Subclasses with `--role` / `--secondary-authorizer` options pass them here. */
  protected extraSettingFlags(): { role?: string; secondaryAuthorizer?: string } {
    return {};
  }

  /** The resolved values of `keys`, or one sentence naming every missing one and how to set it (exit 64). */
  protected requireSettings<K extends 'endpoint' | 'issuer' | 'accountName' | 'role'>(...keys: K[]): Record<K, string> {
    return requireSettings(this.settings(), keys);
  }

  /** The broker URL, or a sentence saying how to set one. */
  protected requireEndpoint(): string {
    return this.requireSettings('endpoint').endpoint;
  }

  /**
   * Credentials for `get` / `exec`: from the encrypted cache when `useCache` and fresh, else a new request
   * (single shot when `secondaryTotpCode` is given). The TOTP code is asked only when the cache cannot answer.
   */
  protected async obtainCredentials(input: {
    totpCode?: string;
    secondaryTotpCode?: string;
    durationSeconds?: number;
    reason?: string;
    useCache: boolean;
    noCache?: boolean;
  }): Promise<Credentials> {
    const { endpoint, issuer, accountName, role } = this.requireSettings('endpoint', 'issuer', 'accountName', 'role');
    const { obtainCredentials } = await import('./request-flow.js');
    return obtainCredentials(this.flowIo(), {
      endpoint,
      issuer,
      accountName,
      role,
      totpCode: () => this.totp(input.totpCode, `${accountName} (${issuer})`),
      client: () => this.client(endpoint),
      useCache: input.useCache,
      noCache: input.noCache,
      totpCodeGiven: input.totpCode !== undefined,
      secondaryAccountName: this.settings().secondaryAuthorizer,
      secondaryTotpCode: input.secondaryTotpCode?.replace(/\s/g, ''),
      durationSeconds: input.durationSeconds,
      reason: input.reason,
      approveCommand: (id) => this.approveCommand(id),
    });
  }

  /** A broker client for `endpoint` (default: the resolved one), cancelled by Ctrl-C. */
  protected async client(endpoint = this.requireEndpoint()): Promise<BrokerClient> {
    const { BrokerClient } = await import('./client.js');
    return new BrokerClient({ endpoint, signal: this.interruptSignal(), fetch: this.sts.fetch, now: this.sts.now });
  }

  /** The terminal for prompts (injected in tests). */
  protected terminal(): Terminal {
    return this.sts.terminal ?? systemTerminal(this.context.stderr);
  }

  /** True when stderr is a terminal (spinners and colours only then). */
  protected stderrIsTty(): boolean {
    return (this.context.stderr as { isTTY?: boolean }).isTTY === true;
  }

  /** Current time in ms. */
  protected now(): number {
    return this.sts.now?.() ?? Date.now();
  }

  /** Sleeps `ms`, rejecting with InterruptedError on Ctrl-C. */
  protected sleep(ms: number): Promise<void> {
    const signal = this.interruptSignal();
    if (this.sts.sleep) return this.sts.sleep(ms, signal);
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new InterruptedError());
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new InterruptedError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Aborted on Ctrl-C (or by the injected test signal); listening only while the command runs. */
  protected interruptSignal(): AbortSignal {
    if (!this.interrupt) {
      const controller = new AbortController();
      this.interrupt = controller;
      const injected = this.sts.signal;
      if (injected) {
        const abort = () => controller.abort(new InterruptedError());
        if (injected.aborted) abort();
        else injected.addEventListener('abort', abort, { once: true });
        this.detachSigint = () => injected.removeEventListener('abort', abort);
      } else {
        const onSigint = () => controller.abort(new InterruptedError());
        process.on('SIGINT', onSigint);
        this.detachSigint = () => process.off('SIGINT', onSigint);
      }
    }
    return this.interrupt.signal;
  }

  /** The TOTP code from `flag`, else asked with a hidden prompt; a sentence when nobody can be asked. */
  protected async totp(flag: string | undefined, label: string): Promise<string> {
    if (flag) return flag.replace(/\s/g, '');
    const terminal = this.terminal();
    if (!terminal.interactive) {
      throw new CliError(`No TOTP code for ${label}: pass --totp-code (there is no terminal to ask on).`);
    }
    const answer = (await terminal.prompt(`TOTP code for ${label}: `, { hidden: true })).replace(/\s/g, '');
    if (!/^\d{6}$/.test(answer))
      throw new CliError('A TOTP code is 6 digits: run the command again with a fresh code.');
    return answer;
  }

  /** Shows a line to the person (stderr; overridden where stderr may be captured). */
  protected notice(text: string): void {
    this.info(text);
  }

  /** The request flow's view of this command. */
  protected flowIo(): FlowIo {
    return {
      env: this.context.env,
      info: (text) => this.notice(text),
      sleep: (ms) => this.sleep(ms),
      now: () => this.now(),
      spinnerStream: this.stderrIsTty() ? this.context.stderr : undefined,
    };
  }

  /** What an approver types to reach the same broker for request `id` (`<you>`: their own name goes there). */
  protected approveCommand(id: string): string {
    const { local, dataDir, issuer, secondaryAuthorizer } = this.settings();
    // The approver's own settings may differ: name the issuer, and the approver asked for (else a placeholder).
    const who = `${issuer ? ` --issuer ${posixValue(issuer)}` : ''} --account-name ${secondaryAuthorizer ? posixValue(secondaryAuthorizer) : '<you>'}`;
    if (!local) return `sts approve ${id}${who}`;
    const dir = dataDir === resolve(DEFAULT_DATA_DIR) ? '' : ` --data-dir ${posixValue(dataDir)}`;
    return `sts approve --local${dir} ${id}${who}`;
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
