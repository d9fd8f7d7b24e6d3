/**
 * Turns anything an administrator command can throw into one sentence and an exit code. Domain errors keep
 * their message and `exitCode`; AWS SDK failures are recognised by name and explained without copying the
 * SDK's message (it may quote request values); other errors show their first line. Never a stack.
 */
import { isAwsError } from '../../lambdas/adapters/aws/aws-errors.js';
import { InternalError, isAppError } from '../../lambdas/core/errors.js';
import { CliError, ExitCode, InterruptedError } from '../errors.js';
import { noLocalBroker } from '../settings.js';

/** What the failing command was talking to, so the sentence can name it. */
export interface ErrorHints {
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

const internalExit = new InternalError().exitCode;

function errorName(error: unknown): string {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return typeof name === 'string' && /^[\w.:-]{1,100}$/.test(name) ? name : 'UnknownError';
}

function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps `error` to a message (no trailing newline) and an exit code. */
export function describeError(error: unknown, hints: ErrorHints = {}): DescribedError {
  // The embedded broker's own sentence names `npx sts`, which outside the clone is someone else's package.
  if (isAppError(error) && error.code === 'no_broker' && hints.dataDir) error = noLocalBroker(hints.dataDir);
  if (isAppError(error) || error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof InterruptedError) return { message: 'Interrupted.', exitCode: ExitCode.interrupted };
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
    return fail(`AWS refused the call (${errorName(error)}): check your credentials and IAM permissions.`);
  }
  if (
    isAwsError(error, 'NotFoundException', 'DisabledException', 'KMSInvalidStateException', 'InvalidKeyUsageException')
  ) {
    const key = hints.kmsKeyId ? `"${hints.kmsKeyId}"` : 'given';
    return fail(`The KMS key ${key} cannot be used (${errorName(error)}): check --kms-key-id and the key's state.`);
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
  return fail(`Unexpected error (${errorName(error)}).`);
}
