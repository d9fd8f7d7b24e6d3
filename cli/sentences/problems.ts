/**
 * What the CLI says after each problem code of the broker (DESIGN.md §4), and with which exit code: the
 * broker's own message, then what to do next, then the code. The exit codes are core's (`errorCodes`).
 */
import { type AppError, errorSpec } from '../../lambdas/core/errors.js';
import { type ApiError, ExitCode } from '../errors.js';

/** The exit code of an API problem code: core's table (core/errors.ts `errorCodes`), else 1. */
export function exitCodeForProblem(code: string): number {
  return errorSpec(code)?.exitCode ?? ExitCode.failure;
}

/** What to do next after each problem code (shown after the broker's own message). */
export const problemHints: Record<string, string> = {
  invalid_request: 'Check the options (see `sts <command> --help`) and try again.',
  invalid_credentials:
    'Check --issuer, --account-name and the TOTP code, then retry with the next code your authenticator shows.',
  not_an_approver:
    "Ask the requester which accounts may approve this role (their entry's approval rule for it, else its secondary authorization).",
  self_approval: 'Ask another of your approvers to run `sts approve` for this request.',
  role_not_permitted: "Check --role, or ask an administrator to add the role to your account's roles.",
  not_found: 'Check the request id and that --endpoint points at the broker that made it.',
  already_decided: 'Run `sts status <id>` to see how it was decided.',
  already_approved:
    'Nothing to do: the request waits for the other approvers (`sts status <id>` shows who has approved so far).',
  approvals_required:
    'Ask for this role with `sts request`, which waits for every approval it needs (`sts get` and STSFTW 1.0 clients cannot).',
  expired: 'Make a new request with `sts request`.',
  locked_out: 'Wait 15 minutes before trying again (the lockout was announced on the audit topic).',
  internal: "Retry in a moment; if it keeps failing, check the broker's logs.",
};

/**
 * What the requester does next after a refusal whose general hint speaks to the approver (`not_an_approver`,
 * `self_approval` are mostly an approver's errors); undefined where the general hint fits.
 */
export function requesterHint(code: string, approver?: string | null): string | undefined {
  if (code === 'not_an_approver') {
    return `${approver ?? 'The approver you named'} is not one of the approvers listed for your account: name one who is with --secondary-authorizer (or STS_SECONDARY_ACCOUNT_NAME, or the profile's), or name none so that any of them may approve.`;
  }
  if (code === 'self_approval') return 'You cannot approve your own request: name one of your approvers instead.';
  return undefined;
}

/** `s` ending with a full stop (or another sentence mark). */
export function endSentence(s: string): string {
  return /[.!?]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`;
}

/** A problem answer of the broker: its message, what to do next, its code. */
export function problemSentence(error: ApiError): string {
  return `${endSentence(error.message)} ${problemHints[error.code] ?? problemHints.internal} (${error.code})`;
}

/** A core error raised in this process (e.g. by the embedded broker): its message and what to do next. */
export function appErrorSentence(error: AppError): string {
  return `${endSentence(error.message)} ${problemHints[error.code] ?? problemHints.internal}`;
}
