/**
 * Base of the administrator commands (`enroll`, `list`, `update …`, `remove`, `migrate`). They talk to the
 * auth table directly with the operator's own AWS credentials (or the embedded broker's dynalite with
 * `--local`), not to the broker's HTTP API. Owns the shared options and the error → exit code mapping.
 */
import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { validateName } from '../../lambdas/core/entries.js';
import { InvalidRequestError } from '../../lambdas/core/errors.js';
import type { StsContext } from '../context.js';
import { DEFAULT_DATA_DIR } from '../settings.js';
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

  local = Option.Boolean('--local', false, {
    description: 'Use the embedded broker (`sts server`) in --data-dir instead of AWS',
  });

  dataDir = Option.String('--data-dir', DEFAULT_DATA_DIR, {
    env: 'STS_DATA_DIR',
    description: `Data directory of the embedded broker (env STS_DATA_DIR, default ${DEFAULT_DATA_DIR})`,
  });

  region = Option.String('--region', {
    env: 'AWS_REGION',
    description: 'AWS region (env AWS_REGION; default: the SDK configuration)',
    validator: t.cascade(t.isString(), t.matchesRegExp(/^[a-z0-9-]{1,32}$/)),
  });

  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  private backendHandle?: AdminBackend;

  /** The command body; its result is the exit code. Errors thrown here are reported by `execute()`. */
  protected abstract run(): Promise<number>;

  /** Runs the command and turns any failure into one sentence on stderr and its exit code. */
  async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (error) {
      const { message, exitCode } = describeError(error, {
        tableName: this.backendHandle?.tableName ?? this.tableName,
        kmsKeyId: this.kmsKeyId,
        local: this.local,
        dataDir: this.dataDir,
      });
      this.context.stderr.write(`sts: ${message}\n`);
      return exitCode;
    } finally {
      this.backendHandle?.close();
    }
  }

  /** The auth table (and cipher) for these options; opened once, closed when the command ends. */
  protected async backend(): Promise<AdminBackend> {
    if (!this.backendHandle) {
      const { openBackend } = await import('./backend.js');
      this.backendHandle = await openBackend({
        local: this.local,
        dataDir: this.dataDir,
        tableName: this.tableName,
        region: this.region,
        kmsKeyId: this.kmsKeyId,
        env: this.context.env,
      });
    }
    return this.backendHandle;
  }

  /** The validated `--issuer`. */
  protected requireIssuer(): string {
    return requireName(this.issuer, 'issuer', '--issuer', 'STS_ISSUER');
  }

  /** The validated `--account-name`. */
  protected requireAccountName(): string {
    return requireName(this.accountName, 'account name', '--account-name', 'STS_ACCOUNT_NAME');
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

function requireName(value: string | undefined, kind: 'issuer' | 'account name', flag: string, env: string): string {
  if (value === undefined || value === '') {
    throw new InvalidRequestError(`No ${kind} given: pass ${flag} or set ${env}.`);
  }
  return validateName(kind, value);
}
