/** `sts approve <id>`: the approver's side, from their own machine with their own TOTP code. */
import { Command } from 'clipanion';
import type { BrokerClient, DecisionResult } from '../client.js';
import { DecisionCommand } from '../decision-command.js';

/** Approves a request waiting for approval. */
export class ApproveCommand extends DecisionCommand {
  static paths = [['approve']];
  static usage = Command.Usage({
    category: 'Approver',
    description: "Approve someone's request with your own TOTP code",
    details: `
      Shows who asks for which role, why, the verification code and the deadline. Check the code with the requester (it must match what their \`sts request\` shows), confirm, then type your TOTP code. Your account is \`--account-name\` (or STS_ACCOUNT_NAME, or your profile).

      When the role needs several approvers, it says whether yours completed the quorum or how many more are needed (\`--json\`: \`approvalsRemaining\`); approving the same request twice is refused (\`already_approved\`, exit 6).

      Without a terminal, \`--yes\` and \`--totp-code\` are required.
    `,
    examples: [
      ['Approve (asks to confirm, then for your code)', '$0 approve r_0123456789abcdefghjkmnpqrs'],
      ['Against the embedded broker', '$0 approve --local --account-name bob r_0123456789abcdefghjkmnpqrs'],
    ],
  });

  protected readonly verb = 'approve';

  protected send(client: BrokerClient, accountName: string, totpCode: string): Promise<DecisionResult> {
    return client.approve(this.id, { accountName, totpCode });
  }
}
