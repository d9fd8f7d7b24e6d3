/** `sts status <id>`: the request as the API sees it. */
import { Command, Option } from 'clipanion';
import type { RequestView } from '../client.js';
import { StsCommand } from '../command.js';
import { endpointOption } from '../options.js';
import { approvalRows } from '../sentences/approvals.js';
import { clockTime } from '../time-format.js';

/** Shows a request's status, parties, deadline and outcome. */
export class StatusCommand extends StsCommand {
  static paths = [['status']];
  static usage = Command.Usage({
    category: 'Requester',
    description: 'Show a request as the broker sees it',
    details: `
      Works from any machine that reaches the broker: requester, approver or auditor. Never shows credentials (they are sealed to the requester's key anyway). A request that needs approvals lists them (who, when) and \`approvals: k of N\`.
    `,
    examples: [
      ['Show a request', '$0 status r_0123456789abcdefghjkmnpqrs'],
      ['As JSON', '$0 status r_0123456789abcdefghjkmnpqrs --json'],
    ],
  });

  endpoint = endpointOption();
  id = Option.String({ name: 'id' });

  protected async run(): Promise<number> {
    const client = await this.session().client(this.requireSettings('endpoint').endpoint);
    const view = await client.getRequest(this.id);
    this.out(this.json ? JSON.stringify(view, null, 2) : describeRequest(view));
    return 0;
  }
}

/** The human view of a request, one field per line. */
export function describeRequest(view: RequestView): string {
  const rows: [string, string | null | undefined][] = [
    ['status', view.status],
    ['account', `${view.accountName} (issuer ${view.issuer})`],
    ['role', view.role],
    ['reason', view.reason],
    ['approver asked', view.secondaryAccountName],
    ['verification code', view.verificationCode],
    ['created', view.createdAt],
    [
      'decision deadline',
      view.decisionDeadline && `${view.decisionDeadline} (${clockTime(view.decisionDeadline)} local)`,
    ],
    ...approvalRows(view),
    ['approved by', view.approvedBy],
    ['denied by', view.deniedBy],
    ['error', view.error ? `${view.error.message} (${view.error.code})` : undefined],
    [
      'credentials',
      view.credentials ? `minted, sealed to the requester, expire ${view.credentials.expiration}` : undefined,
    ],
  ];
  const lines = rows.filter(([, value]) => value).map(([label, value]) => `  ${label.padEnd(18)} ${value}`);
  return [view.id, ...lines].join('\n');
}
