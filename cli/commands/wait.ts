/** `sts wait <id>`: finish a request made on this machine (after `--no-wait` or Ctrl-C). */
import { Command, Option } from 'clipanion';
import { StsCommand } from '../command.js';
import { CredentialOutput, formatOption, writeProfileOption } from '../credential-output.js';
import { endpointOption } from '../options.js';
import { loadFinished, loadPending } from '../pending-requests.js';
import { alreadyFinished, noKeyHere } from '../sentences/statuses.js';

/** Waits for a pending request and prints its credentials. */
export class WaitCommand extends StsCommand {
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

  endpoint = endpointOption();
  id = Option.String({ name: 'id' });
  format = formatOption();
  writeProfile = writeProfileOption();

  protected async run(): Promise<number> {
    const pending = loadPending(this.context.env, this.id);
    if (!pending) {
      const finished = loadFinished(this.context.env, this.id);
      throw finished ? alreadyFinished(finished) : noKeyHere(this.id);
    }
    const { waitForCredentials } = await import('../request-flow/wait.js');
    // The request lives on the broker that made it; an explicit --endpoint or --local (e.g. a local broker
    // restarted on another port) says where that broker is now.
    const endpoint = this.endpoint || this.local ? this.requireSettings('endpoint').endpoint : pending.endpoint;
    const session = this.session();
    const client = await session.client(endpoint);
    const output = new CredentialOutput(this.context, this, () => this.terminal());
    const credentials = await waitForCredentials(
      client,
      session.flowIo((text) => output.notice(text)),
      pending,
      {
        announce: true,
      },
    );
    return output.deliver(credentials);
  }
}
