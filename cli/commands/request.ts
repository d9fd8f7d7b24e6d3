/** `sts request`: ask for credentials that another person approves, then wait for them. */
import { Command, Option } from 'clipanion';
import { approverCommand } from '../approver-command.js';
import { StsCommand } from '../command.js';
import { CredentialOutput, formatOption, writeProfileOption } from '../credential-output.js';
import {
  durationOption,
  endpointOption,
  reasonOption,
  roleOption,
  secondaryAuthorizerOption,
  totpCodeOption,
} from '../options.js';
import { totpCode } from '../prompts.js';
import { announcement } from '../sentences/statuses.js';

/** Creates a request (fresh key pair), shows what the approver must run, waits and prints the credentials. */
export class RequestCommand extends StsCommand {
  static paths = [['request']];
  static usage = Command.Usage({
    category: 'Requester',
    description: 'Request credentials for a role that another person approves',
    details: `
      Checks your TOTP code, then waits for your approvers to run \`sts approve <id>\` with their own codes: one of them, or as many as the role's approval rule asks for (a line such as \`approvals: 1 of 2 (bob)\` as each one arrives). The credentials are sealed to a key pair made for this request only, and printed here once approved.

      While waiting, the request id, the verification code (the approver must see the same one) and the approver's command are shown on stderr. Ctrl-C stops waiting without cancelling: resume with \`sts wait <id>\`.

      With \`--no-wait\` it returns once your code has been checked (exit 12 at once if it was refused), printing the request id; collect the credentials later with \`sts wait <id>\`.

      While the broker is throttling (HTTP 429) or failing in front of it (a 5xx without a problem body), it keeps waiting with a growing, jittered pause, honouring Retry-After, until the decision deadline.

      Exit codes: 0 credentials printed, 10 denied, 11 expired, 12 rejected (e.g. wrong code), 13 failed, 69 broker unreachable, 75 still unsettled or still throttled when we stopped waiting, 130 interrupted.
    `,
    examples: [
      ['Ask for the admin role and wait', '$0 request --role admin --reason "deploy hotfix"'],
      ['Ask one approver by name', '$0 request --role admin --secondary-authorizer bob'],
      ['Return at once, collect later', '$0 request --role admin --no-wait && sts wait r_…'],
      ['Load into the current shell', 'eval "$(sts request --role admin)"'],
      ['Save as an AWS profile', '$0 request --role admin --write-profile work-admin'],
    ],
  });

  endpoint = endpointOption();
  role = roleOption();
  secondaryAuthorizer = secondaryAuthorizerOption();
  duration = durationOption();
  reason = reasonOption();
  totpCode = totpCodeOption();
  noWait = Option.Boolean('--no-wait', false, {
    description: 'Print the request id and return; collect the credentials later with `sts wait <id>`',
  });
  format = formatOption();
  writeProfile = writeProfileOption();

  protected async run(): Promise<number> {
    const { endpoint, issuer, accountName, role } = this.requireSettings('endpoint', 'issuer', 'accountName', 'role');
    const code = await totpCode(this.terminal(), this.totpCode, `${accountName} (${issuer})`);
    const { startRequest } = await import('../request-flow/start.js');
    const { awaitVerification, waitForCredentials } = await import('../request-flow/wait.js');
    const session = this.session();
    const client = await session.client(endpoint);
    const output = new CredentialOutput(this.context, this, () => this.terminal());
    const io = session.flowIo((text) => output.notice(text));
    const pending = await startRequest(client, io, {
      endpoint,
      issuer,
      accountName,
      role,
      totpCode: code,
      secondaryAccountName: this.settings().secondaryAuthorizer,
      durationSeconds: this.duration,
      reason: this.reason,
      approveCommand: (id) => approverCommand(this.settings(), id),
    });
    if (this.noWait) {
      // Only a code the broker accepted makes a request worth announcing: a refused one ends here (exit 12).
      const checked = await awaitVerification(client, io, pending);
      if (checked.status === 'AWAITING_APPROVAL') io.info(announcement(pending, checked, session.now()));
      const collect = `collect the credentials with \`sts wait ${pending.id}\``;
      if (checked.status !== 'AWAITING_APPROVAL') io.info(`Request ${pending.id} needs no approval: ${collect}.`);
      else if (!this.json) this.info(`Once approved, ${collect}.`);
      if (this.json) {
        const { id, verificationCode, decisionDeadline } = pending;
        // Exactly these three fields: the documented shape scripts rely on.
        this.out(JSON.stringify({ id, verificationCode, decisionDeadline }));
      } else {
        this.out(pending.id);
      }
      return 0;
    }
    // Announced once the requester's code is accepted (AWAITING_APPROVAL): a refused request never
    // claims to need approval, and a single-factor one goes straight to its credentials.
    const credentials = await waitForCredentials(client, io, pending, { announce: true });
    return output.deliver(credentials);
  }
}
