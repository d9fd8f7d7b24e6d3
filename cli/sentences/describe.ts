/**
 * Any error → one sentence that says what to do next, and the exit code: the one place the CLI's edge
 * translates failures. The sentences themselves are in the tables next to this file.
 */
import { isAppError } from '../../lambdas/core/errors.js';
import { ApiError, CliError, ExitCode, InterruptedError, NetworkError } from '../errors.js';
import { type AwsHints, type DescribedError, describeAwsError } from './admin.js';
import { networkExitCode, networkSentence } from './network.js';
import { appErrorSentence, endSentence, exitCodeForProblem, problemSentence } from './problems.js';

export type { AwsHints, DescribedError } from './admin.js';

type Env = Record<string, string | undefined>;

/**
 * One sentence and the exit code for any error. Never a stack trace: unexpected errors only show their
 * message, and the stack only with `STS_DEBUG=1` in `env`. `aws`: the administrator commands, which talk to
 * AWS (or the local DynamoDB) themselves, name what they were talking to.
 */
export function describeError(error: unknown, env: Env = {}, aws?: AwsHints): DescribedError {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof InterruptedError) return { message: 'Interrupted.', exitCode: ExitCode.interrupted };
  if (error instanceof ApiError) return { message: problemSentence(error), exitCode: exitCodeForProblem(error.code) };
  if (error instanceof NetworkError) return { message: networkSentence(error), exitCode: networkExitCode(error) };
  if (aws) return describeAwsError(error, aws);
  // A core error raised in this process (e.g. by the embedded broker).
  if (isAppError(error)) return { message: appErrorSentence(error), exitCode: error.exitCode };
  const text = error instanceof Error ? error.message : String(error);
  const debug = env.STS_DEBUG === '1' && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return {
    message: `Unexpected error: ${endSentence(text)} Rerun with STS_DEBUG=1 for details and report it if it persists.${debug}`,
    exitCode: ExitCode.failure,
  };
}

/** Writes `sts: <sentence>` for `error` on stderr and returns its exit code. */
export function reportError(
  stderr: { write(text: string): unknown },
  error: unknown,
  env: Env,
  aws?: AwsHints,
): number {
  const { message, exitCode } = describeError(error, env, aws);
  stderr.write(`sts: ${message}\n`);
  return exitCode;
}
