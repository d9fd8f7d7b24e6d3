import { describe, expect, it } from 'vitest';
import { assertApproverNamed, codeWithoutApprover } from '../../../lambdas/core/approvers.js';
import { InvalidRequestError } from '../../../lambdas/core/errors.js';

describe('codeWithoutApprover', () => {
  it.each([
    [{ secondaryTotpCode: '123456' }, true],
    [{ secondaryTotpCode: '123456', secondaryAccountName: '' }, true],
    [{ secondaryTotpCode: '123456', secondaryAccountName: null }, true],
    [{ secondaryTotpCode: '123456', secondaryAccountName: 'bob' }, false],
    [{ secondaryAccountName: 'bob' }, false],
    // STSFTW 1.0 sends unused fields as empty strings: no code came.
    [{ secondaryTotpCode: '', secondaryAccountName: '' }, false],
    [{}, false],
  ])('%j → %s', (input, expected) => {
    expect(codeWithoutApprover(input)).toBe(expected);
  });
});

describe('assertApproverNamed', () => {
  it('refuses a second code without a name, naming both fields', () => {
    const refuse = () => assertApproverNamed({ secondaryTotpCode: '123456' });
    expect(refuse).toThrow(InvalidRequestError);
    expect(refuse).toThrow('secondaryTotpCode needs secondaryAccountName.');
  });

  it('accepts a second code with its approver, or no second code', () => {
    expect(() => assertApproverNamed({ secondaryTotpCode: '123456', secondaryAccountName: 'bob' })).not.toThrow();
    expect(() => assertApproverNamed({})).not.toThrow();
  });
});
