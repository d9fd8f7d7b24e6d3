/**
 * Base of `sts approve` and `sts deny`: shows the approver who asks for what and why, the verification
 * code and the deadline; asks for confirmation (unless `--yes`) and the approver's TOTP code; then sends
 * the decision.
 */
import { Option } from 'clipanion';
import type { BrokerClient, DecisionResult, RequestView } from './client.js';
import { StsCommand } from './command.js';
import { ApiError, CliError, ExitCode } from './errors.js';
import { endpointOption, totpCodeOption } from './options.js';
import { totpCode } from './prompts.js';
import { withRetries } from './retry.js';
import {
  alreadyCounted,
  approvalResult,
  approvalsRequired,
  approvalsSoFar,
  approverNames,
  isQuorum,
} from './sentences/approvals.js';
import { notDecidable } from './sentences/statuses.js';
import { clockTime, duration } from './time-format.js';

/** How long an approver waits for a request that is still checking the requester's code. */
const VERIFYING_PATIENCE_MS = 10_000;

/** Shared by approve and deny. */
export abstract class DecisionCommand extends StsCommand {
  endpoint = endpointOption();
  id = Option.String({ name: 'id' });
  yes = Option.Boolean('--yes,-y', false, {
    description: 'Do not ask for confirmation (check the verification code first)',
  });
  totpCode = totpCodeOption();

  /** "approve" or "deny". */
  protected abstract readonly verb: 'approve' | 'deny';
  /** Sends the decision. */
  protected abstract send(client: BrokerClient, accountName: string, totpCode: string): Promise<DecisionResult>;

  protected async run(): Promise<number> {
    const { endpoint, accountName } = this.requireSettings('endpoint', 'accountName');
    const client = await this.session().client(endpoint);
    const view = await this.awaitDecidable(client);
    this.info(summary(view, this.session().now()));
    // A second approval would only be refused (already_approved) after spending a TOTP code: say so now.
    const counted = approverNames(view);
    if (this.verb === 'approve' && counted.includes(accountName) && counted.length < approvalsRequired(view)) {
      throw alreadyCounted(view, accountName);
    }
    await this.confirm(view);
    const { issuer } = this.settings();
    const code = await totpCode(this.terminal(), this.totpCode, `${accountName}${issuer ? ` (${issuer})` : ''}`);
    const result = await this.decide(client, accountName, code);
    if (this.json) this.out(JSON.stringify(result));
    else this.out(this.verb === 'approve' ? approvalResult(result, view) : `Denied ${result.id}.`);
    return 0;
  }

  /**
   * Sends the decision, retrying a throttled or failing gateway a few times. After a 5xx the first try may
   * have gone through: a later refusal ("already decided", "already approved", or our code counted as used)
   * that turns out to be our own decision is a success.
   */
  private async decide(client: BrokerClient, accountName: string, totpCode: string): Promise<DecisionResult> {
    let uncertain = false;
    try {
      return await withRetries(() => this.send(client, accountName, totpCode), {
        sleep: (ms) => this.session().sleep(ms),
        onRetry: (e) => {
          if (e.reason !== 'throttled') uncertain = true;
        },
      });
    } catch (e) {
      const ours = ['already_decided', 'already_approved', 'invalid_credentials'];
      if (!(uncertain && e instanceof ApiError && ours.includes(e.code))) throw e;
      const view = await this.getRequest(client);
      const decided =
        this.verb === 'approve'
          ? view.approvedBy === accountName || approverNames(view).includes(accountName)
          : view.deniedBy === accountName;
      if (!decided) throw e;
      if (view.approvalsRequired === undefined) return { id: view.id, status: view.status };
      const approvalsRemaining = Math.max(0, view.approvalsRequired - approverNames(view).length);
      return { id: view.id, status: view.status, approvalsRemaining };
    }
  }

  /** `GET` the request, riding out a throttled or failing gateway a few times. */
  private getRequest(client: BrokerClient): Promise<RequestView> {
    return withRetries(() => client.getRequest(this.id), { sleep: (ms) => this.session().sleep(ms) });
  }

  /** The request once it waits for approval; a sentence if it never will. */
  private async awaitDecidable(client: BrokerClient): Promise<RequestView> {
    const session = this.session();
    const started = session.now();
    for (;;) {
      const view = await this.getRequest(client);
      if (view.status === 'AWAITING_APPROVAL') return view;
      if (view.status === 'VERIFYING' && session.now() - started < VERIFYING_PATIENCE_MS) {
        await session.sleep(500); // the requester's code is being checked: usually a moment
        continue;
      }
      throw notDecidable(view);
    }
  }

  private async confirm(view: RequestView): Promise<void> {
    if (this.yes) return;
    const terminal = this.terminal();
    if (!terminal.interactive) {
      throw new CliError(
        `Refusing to ${this.verb} ${view.id} without confirmation: there is no terminal to ask on. Check the verification code with ${view.accountName}, then re-run with --yes.`,
      );
    }
    const answer = (
      await terminal.prompt(`${this.verb === 'approve' ? 'Approve' : 'Deny'} this request? [y/N] `)
    ).trim();
    if (!/^y(es)?$/i.test(answer)) {
      throw new CliError(
        `Nothing sent: ${view.id} was not ${this.verb === 'approve' ? 'approved' : 'denied'}.`,
        ExitCode.failure,
      );
    }
  }
}

/** What the approver must see before deciding. */
export function summary(view: RequestView, now: number): string {
  const lines = [
    `${view.accountName} (issuer ${view.issuer}) asks for role ${view.role}`,
    `  reason              ${view.reason ? JSON.stringify(view.reason) : '(none given)'}`,
    `  verification code   ${view.verificationCode ?? '(not shown by this broker)'}  (must match what ${view.accountName} sees)`,
    `  decision deadline   ${clockTime(view.decisionDeadline)} (in ${duration(Date.parse(view.decisionDeadline) - now)})`,
    ...(isQuorum(view) ? [`  approvals           ${approvalsSoFar(view)}`] : []),
    `  request             ${view.id}`,
    '',
  ];
  return lines.join('\n');
}
