/** `sts deny <id>`: refuse a request, with your own TOTP code. */
import { Command } from 'clipanion';
import type { BrokerClient, DecisionResult } from '../client.js';
import { DecisionCommand } from '../decision-command.js';
import { denialReasonOption } from '../options.js';

/** Denies a request waiting for approval. */
export class DenyCommand extends DecisionCommand {
  static paths = [['deny']];
  static usage = Command.Usage({
    category: 'Approver',
    description: "Deny someone's request with your own TOTP code",
    details: `
      Shows the request like \`sts approve\`, asks to confirm and for your TOTP code, then denies it. The requester's \`sts request\` ends with exit code 10; the denial is audited.
    `,
    examples: [['Deny with a reason', '$0 deny r_0123456789abcdefghjkmnpqrs --reason "use the read-only role"']],
  });

  reason = denialReasonOption();
  protected readonly verb = 'deny';

  protected send(client: BrokerClient, accountName: string, totpCode: string): Promise<DecisionResult> {
    return client.deny(this.id, { accountName, totpCode, ...(this.reason ? { reason: this.reason } : {}) });
  }
}
