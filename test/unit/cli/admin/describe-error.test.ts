import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { CliError, InterruptedError } from '../../../../cli/errors.js';
import { describeError } from '../../../../cli/sentences/describe.js';
import { ConflictError, InvalidRequestError, NotFoundError } from '../../../../lambdas/core/errors.js';

const sdkError = (name: string, message = 'detail that may quote a value') =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

describe('describeError', () => {
  it.each([
    [new InvalidRequestError('Bad.'), 'Bad.', 2],
    [new NotFoundError('Gone.'), 'Gone.', 5],
    [new ConflictError('Taken.'), 'Taken.', 6],
    [new CliError('Usage.', 64), 'Usage.', 64],
    [new InterruptedError(), 'Interrupted.', 130],
  ])('keeps the message and exit code of %s', (error, message, exitCode) => {
    expect(describeError(error, {}, {})).toEqual({ message, exitCode });
  });

  it.each([
    [
      new ResourceNotFoundException({ $metadata: {}, message: 'x' }),
      { tableName: 't' },
      'Table "t" does not exist in this account and region',
    ],
    [sdkError('CredentialsProviderError'), {}, 'No AWS credentials found'],
    [sdkError('ExpiredTokenException'), {}, 'Your AWS session has expired'],
    [sdkError('AccessDeniedException'), {}, 'AWS refused the call (AccessDeniedException)'],
    [
      sdkError('DisabledException'),
      { kmsKeyId: 'alias/k' },
      'The KMS key "alias/k" cannot be used (DisabledException)',
    ],
    [
      Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      { local: true, dataDir: '/d' },
      'is `sts server --data-dir /d` running?',
    ],
    [new Error('Region is missing'), {}, 'No AWS region: pass --region or set AWS_REGION.'],
  ])('explains %s', (error, hints, text) => {
    const { message, exitCode } = describeError(error, {}, hints);
    expect(message).toContain(text);
    expect(exitCode).toBe(1);
  });

  it('never copies an unknown SDK message, nor a stack', () => {
    const { message } = describeError(sdkError('ValidationException', 'value JBSWY3DP is invalid'), {}, {});
    expect(message).toBe('Unexpected error (ValidationException).');
  });

  it('shows the first line of our own errors', () => {
    expect(describeError(new Error('the key file /k is readable by other users\n  at x'), {}, {}).message).toBe(
      'the key file /k is readable by other users.',
    );
  });
});
