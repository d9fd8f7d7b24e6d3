import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { awsErrorName, isAwsError } from '../../../../lambdas/adapters/aws/aws-errors.js';

describe('isAwsError', () => {
  it('recognises SDK exceptions by name, including look-alikes from another package copy', () => {
    const real = new ConditionalCheckFailedException({ $metadata: {}, message: 'x' });
    const copy = Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException' });
    expect(isAwsError(real, 'ConditionalCheckFailedException')).toBe(true);
    expect(isAwsError(copy, 'ResourceNotFoundException', 'ConditionalCheckFailedException')).toBe(true);
  });

  it.each([[undefined], [null], ['ConditionalCheckFailedException'], [new Error('x')]])('rejects %s', (value) => {
    expect(isAwsError(value, 'ConditionalCheckFailedException')).toBe(false);
  });
});

describe('awsErrorName', () => {
  it.each([
    [Object.assign(new Error('m'), { name: 'ValidationException' }), 'ValidationException'],
    [Object.assign(new Error('m'), { name: 'value: secret token\nwith newline' }), 'UnknownError'],
    ['a string', 'UnknownError'],
    [undefined, 'UnknownError'],
  ])('names %s safely', (error, name) => {
    expect(awsErrorName(error)).toBe(name);
  });
});
