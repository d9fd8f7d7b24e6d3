/** `sts wait <id>`: finish a request made on this machine (after `--no-wait` or Ctrl-C). */
import { Command, Option } from 'clipanion';
import { CredentialCommand } from '../credential-command.js';
import { CliError, ExitCode } from '../errors.js';
import { type FinishedRequest, loadFinished, loadPending } from '../pending-requests.js';
import { clockTime } from '../time-format.js';

/** Waits for a pending request and prints its credentials. */
export class WaitCommand extends CredentialCommand {
  static paths = [['wait']];
  static usage = Command.Usage({
    category: 'Requester',
    description: 'Wait for a request made on this machine and print its credentials',
    details: `
      Resumes a request made with \`sts request --no-wait\` or interrupted with Ctrl-C. Only works on the machine (and user) that made the request: its private key is kept there, mode 0600, until the credentials are opened or the request ends.

      Exit codes as for \`sts request\`.
    `,
    examples: [
      ['Wait and load into the shell', 'eval "$(sts wait r_0123456789abcdefghjkmnpqrs)"'],
      ['As JSON', '$0 wait r_0123456789abcdefghjkmnpqrs --format json'],
    ],
  });

  id = Option.String({ name: 'id' });

  protected async run(): Promise<number> {
    const pending = loadPending(this.context.env, this.id);
    if (!pending) {
      const finished = loadFinished(this.context.env, this.id);
      if (finished) throw alreadyFinished(finished);
      throw new CliError(
        `No key for ${this.id} on this machine: run \`sts wait\` where \`sts request\` ran (same user), or see the request with \`sts status ${this.id}\`.`,
      );
    }
    const { waitForCredentials } = await import('../request-flow.js');
    // The request lives on the broker that made it; an explicit --endpoint or --local (e.g. a local broker
    // restarted on another port) says where that broker is now.
    const client = await this.client(this.endpoint || this.local ? this.requireEndpoint() : pending.endpoint);
    const credentials = await waitForCredentials(client, this.flowIo(), pending, { announce: true });
    return this.deliver(credentials);
  }
}

const endedExit: Record<string, number> = {
  DENIED: ExitCode.denied,
  EXPIRED: ExitCode.expired,
  REJECTED: ExitCode.rejected,
  FAILED: ExitCode.failed,
};

/** A request this machine already finished: delivered (MINTED) or ended, with the exit code it ended with. */
function alreadyFinished({ id, status, at }: FinishedRequest): CliError {
  if (status === 'MINTED') {
    return new CliError(
      `The credentials of ${id} were already delivered on this machine (at ${clockTime(at)}): they are handed out once, and the request's key was deleted then. For new credentials run \`sts request\`.`,
    );
  }
  return new CliError(
    `Request ${id} already ended on this machine: ${status} at ${clockTime(at)}. See \`sts status ${id}\`; make a new request with \`sts request\`.`,
    endedExit[status] ?? ExitCode.failure,
  );
}
