import { resolve } from 'node:path';
import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import type { StsContext } from '../context.js';
import { ExitCode } from '../errors.js';
import { posixValue } from '../output.js';
import { describeError } from '../sentences/describe.js';
import { DEFAULT_DATA_DIR, resolveProfileSettings } from '../settings.js';

const DEFAULT_PORT = 8787;
const DEFAULT_APPROVAL_TIMEOUT = 900;

/**
 * How this process was started, from what npm puts in the environment: `start` (`npm start`) or `npx`
 * (`npx sts server`) in this project, else undefined (the installed `sts`, or `node bin/sts.cjs`).
 */
export function startedByNpm(env: Record<string, string | undefined>): string | undefined {
  const event = env.npm_lifecycle_event;
  return env.npm_package_name === 'stsftw' && (event === 'start' || event === 'npx') ? event : undefined;
}

/**
 * What a newcomer types next, in other terminals, against this broker. Started by npm in the clone
 * (`startedBy`), where `sts` may not be installed yet, the commands use `npx sts` (which runs this clone's
 * CLI inside it) and say how to install `sts`; otherwise plain `sts`, as installed.
 */
export function nextSteps(options: {
  endpoint: string;
  dataDir: string;
  minter: 'local' | 'aws';
  startedBy: string | undefined;
}): string {
  // Other terminals will not share this shell's STS_DATA_DIR, so a non-default dir is spelled out.
  const dir = options.dataDir === resolve(DEFAULT_DATA_DIR) ? '' : ` --data-dir ${posixValue(options.dataDir)}`;
  const sts = options.startedBy ? 'npx sts' : 'sts';
  const install = options.startedBy
    ? `
\`npx sts\` runs this clone's CLI while you are inside it, but outside this clone \`npx sts\` runs an unrelated npm package.
To have \`sts\` everywhere, install it once from here with \`npm install -g .\`, then drop the \`npx\`.
`
    : '';
  const credentials =
    options.minter === 'local'
      ? 'local credentials, marked as such and not valid on AWS'
      : "real STS credentials, assumed with this process's AWS identity";
  return `
stsftw broker listening on ${options.endpoint} (${credentials})
Data: ${options.dataDir} — request log in server.log; audit events are printed below as they happen.

Try it, from this directory, in another terminal:
  1. Enroll a requester and an approver (scan each QR code with an authenticator app):
       ${sts} enroll --local${dir} --issuer demo --account-name alice --roles Admin --secondary-authorizers bob
       ${sts} enroll --local${dir} --issuer demo --account-name bob
  2. Ask for credentials as alice (it prints a request id, then waits for approval):
       ${sts} request --local${dir} --issuer demo --account-name alice --role Admin
  3. Approve as bob, in a third terminal, with that id (compare the verification codes):
       ${sts} approve <id> --local${dir} --issuer demo --account-name bob
     or in a browser, on the approval page alice's request prints:
       ${options.endpoint}/approve/<id>
${install}
Ctrl-C stops the broker; requests still in flight are closed as failed on the next start.
`;
}

// dynalite writes response headers through a deprecated Node API (DEP0066); the warning would greet every
// newcomer on the first request and says nothing about their setup. Only that one warning is dropped.
function silenceDynaliteDeprecation(): void {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
    if (code === 'DEP0066') return;
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
}

/** Resolves on the first SIGINT/SIGTERM (or the test seam's abort); a second signal exits at once. */
function stopSignal(context: StsContext): Promise<void> {
  if (context.signal) {
    const signal = context.signal;
    return new Promise((done) =>
      signal.aborted ? done() : signal.addEventListener('abort', () => done(), { once: true }),
    );
  }
  return new Promise((done) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      // A second Ctrl-C while shutting down means "now".
      process.once('SIGINT', () => process.exit(ExitCode.interrupted));
      done();
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}

/** `sts server`: the embedded broker in the foreground. */
export class ServerCommand extends Command {
  static paths = [['server']];

  static usage = Command.Usage({
    category: 'Broker',
    description: 'Run the embedded broker on this machine',
    details: `
      Runs the whole broker in this process, on loopback: the HTTP API, the approval state machine
      (\`statemachine/approval.asl.json\`, run locally), DynamoDB (dynalite, persisted in \`--data-dir\`), a local
      key for TOTP secrets and an audit log. No AWS account is needed with the default \`--minter local\`, which
      hands out credentials clearly marked as local; \`--minter aws\` assumes real roles with this process's AWS
      credentials.

      The data dir is private to your user: the broker tightens one that others can read (0700 directories,
      0600 files), refuses one that holds another user's files, and serves its DynamoDB on a Unix socket there
      (\`dynamodb.sock\`), not on a TCP port. It writes \`<data-dir>/server.json\`; every \`sts\` command given
      \`--local\` (and the same \`--data-dir\` / \`STS_DATA_DIR\`) finds it there. Requests left in flight by a previous run are closed as
      failed (\`broker_restarted\`) on start. It stays in the foreground until Ctrl-C.

      When a request starts waiting for approval, and when it ends, the broker prints a notification for its
      approvers and requester (the request, the verification code, the approver command and a link to the
      approval page, \`<endpoint>/approve/<id>\`, where an approver decides in a browser; never a code or a
      credential); with \`--notify-url\` it also POSTs it as JSON \`{"text": …, "event": …}\`, which Slack and
      Mattermost incoming webhooks accept as is. Notifications are best-effort: a webhook that fails is retried
      a few times and logged, and never holds up a request. A webhook URL is a credential: prefer
      \`STS_NOTIFY_URL\` to the flag, since a command line is visible to every user of the machine. The URL is
      never logged or printed.
    `,
    examples: [
      ['Start with the defaults (./.stsftw, port 8787, local credentials)', '$0 server'],
      ['Pick any free port and a shorter approval window', '$0 server --port 0 --approval-timeout 300'],
      ['Mint real credentials with your AWS profile', 'AWS_PROFILE=admin $0 server --minter aws'],
      ['Keep the data elsewhere', '$0 server --data-dir ~/.stsftw'],
      [
        'Post approval notifications to a chat webhook',
        '$0 server --notify-url https://hooks.slack.com/services/T000/B000/XXXX',
      ],
    ],
  });

  dataDir = Option.String('--data-dir', {
    env: 'STS_DATA_DIR',
    description: `Where the broker keeps its database, key and logs (env STS_DATA_DIR, else the profile's, default ${DEFAULT_DATA_DIR})`,
  });

  profile = Option.String('--profile', {
    env: 'STS_PROFILE',
    description: 'Config-file profile whose data dir to use (`sts configure --local --data-dir DIR`; env STS_PROFILE)',
  });

  port = Option.String('--port', String(DEFAULT_PORT), {
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 65535)]),
    description: `HTTP port (default ${DEFAULT_PORT}; 0 picks a free one)`,
  });

  approvalTimeout = Option.String('--approval-timeout', String(DEFAULT_APPROVAL_TIMEOUT), {
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 31_536_000)]),
    description: `Seconds a request waits for its approver (default ${DEFAULT_APPROVAL_TIMEOUT})`,
  });

  minter = Option.String('--minter', 'local', {
    validator: t.isEnum(['local', 'aws'] as const),
    description: 'local: fake credentials marked as local (default); aws: real STS with your AWS credentials',
  });

  host = Option.String('--host', '127.0.0.1', {
    description: 'Interface to listen on (default 127.0.0.1; anything else exposes the broker to your network)',
  });

  notifyUrl = Option.String('--notify-url', {
    env: 'STS_NOTIFY_URL',
    description:
      'POST each approval notification there as JSON {text, event} (a Slack or Mattermost incoming webhook; env STS_NOTIFY_URL)',
  });

  async execute(): Promise<number> {
    const context = this.context as StsContext;
    const print = (line: string) => this.context.stdout.write(`${line}\n`);
    let dataDir: string;
    try {
      // The same data dir every `--local` command of this profile looks in.
      ({ dataDir } = resolveProfileSettings({ dataDir: this.dataDir, profile: this.profile }, this.context.env));
    } catch (error) {
      const { message, exitCode } = describeError(error, this.context.env);
      this.context.stderr.write(`sts: ${message}\n`);
      return exitCode;
    }
    let notifyUrl: string | undefined;
    if (this.notifyUrl !== undefined) {
      const { parseNotifyUrl } = await import('../../lambdas/adapters/local/local-notifier.js');
      notifyUrl = parseNotifyUrl(this.notifyUrl);
      if (!notifyUrl) {
        this.context.stderr.write('sts: --notify-url must be an absolute http:// or https:// URL.\n');
        return ExitCode.usage;
      }
    }
    silenceDynaliteDeprecation();
    // What the broker creates from now on (LevelDB writes new files all the time) is this user's alone;
    // the files already there are tightened by startEmbedded.
    process.umask(0o077);
    // Lazy: the broker's dependencies (dynalite, the local runner, the SDK) are heavy for the other commands.
    const { startEmbedded, StartupError } = await import('../../lambdas/adapters/local/embedded.js');
    let broker: Awaited<ReturnType<typeof startEmbedded>>;
    try {
      broker = await startEmbedded({
        dataDir,
        port: this.port,
        approvalTimeoutSeconds: this.approvalTimeout,
        minter: this.minter,
        host: this.host,
        print,
        notifyUrl,
      });
    } catch (error) {
      // The embedded broker's own refusals (already running, port taken, no AWS credentials) are sentences
      // for the person who started it, with their exit code: no API hint follows them. This is the broker.
      if (error instanceof StartupError) {
        this.context.stderr.write(`sts: ${error.message}\n`);
        return error.exitCode;
      }
      const { message, exitCode } = describeError(error, this.context.env);
      this.context.stderr.write(`sts: ${message}\n`);
      return exitCode;
    }
    const startedBy = startedByNpm(this.context.env);
    print(nextSteps({ endpoint: broker.info.endpoint, dataDir, minter: this.minter, startedBy }));
    await stopSignal(context);
    print('Stopping the broker…');
    await broker.close();
    print('Stopped.');
    return ExitCode.ok;
  }
}
