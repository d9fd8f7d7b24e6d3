import { describe, expect, it } from 'vitest';
import {
  assertApproversExist,
  formatApprovalRule,
  parseApprovalRule,
  quorumFor,
  validateApprovalRules,
} from '../../../lambdas/core/approval-rules.js';
import { InvalidRequestError } from '../../../lambdas/core/errors.js';

const cfg = { partition: 'aws', roleAccountId: '123456789012' };
const BREAK_GLASS = 'arn:aws:iam::123456789012:role/BreakGlass';
const entry = {
  issuer: 'acme',
  accountName: 'alice',
  roles: ['ReadOnly', 'Admin', BREAK_GLASS],
  secondaryAuthorization: ['bob', 'carol'],
};

describe('quorumFor', () => {
  it("keeps 1.0's behaviour without rules: one of secondary_authorization, or none", () => {
    expect(quorumFor(entry, 'Admin', cfg)).toEqual({ required: 1, approvers: ['bob', 'carol'] });
    expect(quorumFor({ ...entry, secondaryAuthorization: [] }, 'Admin', cfg)).toEqual({ required: 0, approvers: [] });
    expect(quorumFor({ ...entry, approvalRules: [] }, 'Admin', cfg)).toEqual({
      required: 1,
      approvers: ['bob', 'carol'],
    });
  });

  it("uses the role's own rule, found by name or ARN as the request names it", () => {
    const rules = [
      { role: 'ReadOnly', approvals: 0 },
      { role: BREAK_GLASS, approvals: 2, approvers: ['sec1', 'sec2'] },
    ];
    const withRules = { ...entry, approvalRules: rules };
    expect(quorumFor(withRules, 'ReadOnly', cfg)).toMatchObject({ required: 0, ruleRole: 'ReadOnly' });
    expect(quorumFor(withRules, 'arn:aws:iam::123456789012:role/ReadOnly', cfg).required).toBe(0);
    expect(quorumFor(withRules, 'BreakGlass', cfg)).toEqual({
      required: 2,
      approvers: ['sec1', 'sec2'],
      ruleRole: BREAK_GLASS,
    });
    expect(quorumFor(withRules, BREAK_GLASS, cfg).required).toBe(2);
    // No rule of its own and no `*`: the default.
    expect(quorumFor(withRules, 'Admin', cfg)).toEqual({ required: 1, approvers: ['bob', 'carol'] });
  });

  it('falls back to the * rule for every role without its own', () => {
    const withRules = {
      ...entry,
      approvalRules: [
        { role: '*', approvals: 2 },
        { role: 'ReadOnly', approvals: 0 },
      ],
    };
    expect(quorumFor(withRules, 'Admin', cfg)).toEqual({ required: 2, approvers: ['bob', 'carol'], ruleRole: '*' });
    expect(quorumFor(withRules, 'ReadOnly', cfg).required).toBe(0);
  });

  it('takes the strictest rule when the entry lists one role twice (name and ARN)', () => {
    const both = {
      ...entry,
      roles: ['Admin', 'arn:aws:iam::123456789012:role/Admin'],
      approvalRules: [
        { role: 'Admin', approvals: 1 },
        { role: 'arn:aws:iam::123456789012:role/Admin', approvals: 2 },
      ],
    };
    expect(quorumFor(both, 'Admin', cfg).required).toBe(2);
  });
});

describe('parseApprovalRule and formatApprovalRule', () => {
  it.each([
    ['Admin=1', { role: 'Admin', approvals: 1 }],
    ['*=0', { role: '*', approvals: 0 }],
    ['BreakGlass=2:sec1,sec2', { role: 'BreakGlass', approvals: 2, approvers: ['sec1', 'sec2'] }],
    ['BreakGlass=2: Bob Smith , carol,carol', { role: 'BreakGlass', approvals: 2, approvers: ['Bob Smith', 'carol'] }],
    [`${BREAK_GLASS}=2:sec1,sec2`, { role: BREAK_GLASS, approvals: 2, approvers: ['sec1', 'sec2'] }],
    ['key=value=1', { role: 'key=value', approvals: 1 }],
    ['Admin=1:a=b', { role: 'Admin', approvals: 1, approvers: ['a=b'] }],
  ])('reads %s', (text, rule) => {
    expect(parseApprovalRule(text)).toEqual(rule);
  });

  it('writes what it reads', () => {
    for (const text of ['Admin=1', 'BreakGlass=2:sec1,sec2'])
      expect(formatApprovalRule(parseApprovalRule(text))).toBe(text);
  });

  it.each(['Admin', 'Admin=', '=1', 'Admin=one', 'Admin=-1', 'Admin=1:', 'Admin=1: , ', 'bad role=1'])(
    'refuses %j',
    (text) => {
      expect(() => parseApprovalRule(text)).toThrow(InvalidRequestError);
    },
  );
});

describe('validateApprovalRules', () => {
  it('accepts the example team and drops duplicate approvers', () => {
    expect(
      validateApprovalRules(entry, [
        { role: 'ReadOnly', approvals: 0 },
        { role: 'Admin', approvals: 1 },
        { role: BREAK_GLASS, approvals: 2, approvers: ['sec1', 'sec2', 'sec1'] },
      ]),
    ).toEqual([
      { role: 'ReadOnly', approvals: 0 },
      { role: 'Admin', approvals: 1 },
      { role: BREAK_GLASS, approvals: 2, approvers: ['sec1', 'sec2'] },
    ]);
  });

  it.each([
    ['a role the entry does not list', [{ role: 'Root', approvals: 1 }], /not one of alice's roles/],
    ['a bare name for an ARN role', [{ role: 'BreakGlass', approvals: 1 }], /not one of alice's roles/],
    [
      'two rules for one role',
      [
        { role: 'Admin', approvals: 1 },
        { role: 'Admin', approvals: 0 },
      ],
      /two approval rules/,
    ],
    ['more than five', [{ role: 'Admin', approvals: 6, approvers: ['a', 'b', 'c', 'd', 'e', 'f'] }], /0 to 5/],
    ['a fraction', [{ role: 'Admin', approvals: 1.5 }], /0 to 5/],
    ['N above the authorizers', [{ role: 'Admin', approvals: 3 }], /names 2 approvers/],
    ['N above its own list', [{ role: 'Admin', approvals: 2, approvers: ['sec1'] }], /its own list names 1 approver:/],
    [
      'the account itself',
      [{ role: 'Admin', approvals: 1, approvers: ['alice'] }],
      /cannot approve their own requests/,
    ],
    ['a bad approver name', [{ role: 'Admin', approvals: 1, approvers: ['a:b'] }], /account name/],
    ['no list', { role: 'Admin' }, /must be a list/],
  ])('refuses %s', (_label, rules, message) => {
    expect(() => validateApprovalRules(entry, rules)).toThrow(message);
  });
});

describe('assertApproversExist', () => {
  it('names every approver a rule relies on that is not enrolled in the issuer', async () => {
    const enrolled = new Set(['bob', 'sec1']);
    const exists = async (name: string) => enrolled.has(name);
    await expect(
      assertApproversExist(entry, [{ role: BREAK_GLASS, approvals: 2, approvers: ['sec1', 'sec2'] }], exists),
    ).rejects.toThrow('sec2 is not enrolled in acme');
    // A rule needing approvals without its own list relies on the secondary authorizers.
    await expect(assertApproversExist(entry, [{ role: '*', approvals: 1 }], exists)).rejects.toThrow(
      'carol is not enrolled in acme',
    );
    // A rule that needs none relies on nobody.
    await expect(
      assertApproversExist(entry, [{ role: 'ReadOnly', approvals: 0, approvers: ['ghost'] }], exists),
    ).resolves.toBeUndefined();
  });
});
