/**
 * What the administrator commands say. They talk to the auth table directly with the operator's AWS
 * credentials (or the embedded broker's DynamoDB): domain errors keep their message and exit code; AWS SDK
 * failures are recognised by name and explained without copying the SDK's message (it may quote request
 * values); other errors of our own show their first line. Never a stack.
 */
import { awsErrorName, isAwsError } from '../../lambdas/adapters/aws/aws-errors.js';
import {
  ConflictError,
  InternalError,
  InvalidRequestError,
  isAppError,
  NotFoundError,
} from '../../lambdas/core/errors.js';
import { posixValue } from '../output.js';

/** What the failing command was talking to, so the sentence can name it. */
export interface AwsHints {
  tableName?: string;
  kmsKeyId?: string;
  local?: boolean;
  dataDir?: string;
}

/** A user-facing failure: one sentence and the process exit code. */
export interface DescribedError {
  message: string;
  exitCode: number;
}

/** The entry to change or remove does not exist. */
export function notEnrolled(issuer: string, accountName: string): NotFoundError {
  return new NotFoundError(`${accountName} is not enrolled in ${issuer}: check the names, or run \`sts enroll\`.`);
}

/** `sts enroll` without `--force` found an entry. */
export function alreadyEnrolled(issuer: string, accountName: string): ConflictError {
  return new ConflictError(
    `${accountName} is already enrolled in ${issuer}: use \`sts update\` to change it, or pass --force to replace it (and its device).`,
  );
}

/** `--json` (no prompts) with the device check that prompts for codes. */
export function jsonNeedsNoVerify(): InvalidRequestError {
  return new InvalidRequestError(
    '--json cannot prompt for codes: add --no-verify (the owner checks the device later).',
  );
}

/** Whose rules a sentence talks about, and how the operator reached the table (for the printed command). */
export interface RuleSubject {
  issuer: string;
  accountName: string;
  local: boolean;
}

/** `sts update approvals … --clear ROLE`, as the operator would type it for `who`. */
function clearCommand(who: RuleSubject, role: string): string {
  const local = who.local ? ' --local' : '';
  return `sts update approvals${local} --issuer ${posixValue(who.issuer)} --account-name ${posixValue(who.accountName)} --clear ${posixValue(role)}`;
}

/** `sts update roles` would leave a rule without its role. */
export function ruleLosesRole(who: RuleSubject, rule: string, role: string): InvalidRequestError {
  return new InvalidRequestError(
    `${who.accountName}'s approval rule ${rule} is for a role these roles leave out: clear it first (\`${clearCommand(who, role)}\`), or keep the role.`,
  );
}

/** `sts update authorizers` would leave a rule with fewer eligible approvers than it needs. */
export function ruleLosesApprovers(
  who: RuleSubject,
  rule: { text: string; role: string; approvals: number },
  named: number,
): InvalidRequestError {
  const approvals = `${rule.approvals} ${rule.approvals === 1 ? 'approval' : 'approvals'}`;
  return new InvalidRequestError(
    `${who.accountName}'s approval rule ${rule.text} needs ${approvals} from the secondary authorizers, but the new list names ${named}: lower the rule or clear it first (\`${clearCommand(who, rule.role)}\`), or name more authorizers.`,
  );
}

/** `sts update approvals` with nothing to do. */
export function noRuleChange(): InvalidRequestError {
  return new InvalidRequestError(
    'Give at least one rule (ROLE=N, or ROLE=N:approver,approver) or --clear ROLE; see `sts update approvals --help`.',
  );
}

/** `sts update approvals --clear ROLE` for a role without a rule (a note: the result is what was asked). */
export function nothingToClear(accountName: string, role: string): string {
  return `sts: note: ${accountName} has no approval rule for ${role}; nothing to clear.\n`;
}

const internalExit = new InternalError().exitCode;

function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** An administrator command's failure (after the CLI's own errors): its sentence and exit code. */
export function describeAwsError(error: unknown, hints: AwsHints): DescribedError {
  if (isAppError(error)) return { message: error.message, exitCode: error.exitCode };
  const table = hints.tableName ? `"${hints.tableName}"` : 'the auth table';
  const fail = (message: string): DescribedError => ({ message, exitCode: internalExit });

  if (isAwsError(error, 'ResourceNotFoundException')) {
    return fail(
      hints.local
        ? `Table ${table} does not exist in the local broker: check --table-name or restart \`sts server\`.`
        : `Table ${table} does not exist in this account and region: check --table-name and --region.`,
    );
  }
  if (isAwsError(error, 'CredentialsProviderError')) {
    return fail('No AWS credentials found: configure a profile (AWS_PROFILE) or environment credentials.');
  }
  if (isAwsError(error, 'ExpiredTokenException', 'ExpiredToken')) {
    return fail('Your AWS session has expired: refresh your credentials and try again.');
  }
  if (isAwsError(error, 'AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException')) {
    return fail(`AWS refused the call (${awsErrorName(error)}): check your credentials and IAM permissions.`);
  }
  if (
    isAwsError(error, 'NotFoundException', 'DisabledException', 'KMSInvalidStateException', 'InvalidKeyUsageException')
  ) {
    const key = hints.kmsKeyId ? `"${hints.kmsKeyId}"` : 'given';
    return fail(`The KMS key ${key} cannot be used (${awsErrorName(error)}): check --kms-key-id and the key's state.`);
  }
  if (error instanceof Error && /region is missing/i.test(error.message)) {
    return fail('No AWS region: pass --region or set AWS_REGION.');
  }
  const network = networkCode(error);
  if (network) {
    return fail(
      hints.local
        ? `Cannot reach the local broker's DynamoDB (${network}): is \`sts server --data-dir ${hints.dataDir ?? '…'}\` running?`
        : `Cannot reach DynamoDB (${network}): check your network and AWS_ENDPOINT_URL_DYNAMODB.`,
    );
  }
  // SDK exceptions (they carry $metadata) may quote request values in their message: name only. Other errors
  // come from our own code and local files (e.g. a key file with loose permissions) and say what is wrong.
  if (error instanceof Error && !('$metadata' in error) && error.message) {
    return fail(`${error.message.split('\n')[0].replace(/\.?$/, '.')}`);
  }
  return fail(`Unexpected error (${awsErrorName(error)}).`);
}
