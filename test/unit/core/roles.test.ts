import { describe, expect, it } from 'vitest';
import { InvalidRequestError, RoleNotPermittedError } from '../../../lambdas/core/errors.js';
import {
  approversTagValue,
  clampDuration,
  resolveRoleArn,
  roleSessionName,
  sanitizeStsName,
  sessionTags,
  sourceIdentity,
} from '../../../lambdas/core/roles.js';

const cfg = { partition: 'aws', roleAccountId: '123456789012' };

describe('resolveRoleArn', () => {
  it('turns a listed bare name into an ARN in the role account', () => {
    expect(resolveRoleArn('admin', ['admin'], cfg)).toBe('arn:aws:iam::123456789012:role/admin');
    expect(resolveRoleArn('admin', ['admin'], { ...cfg, partition: 'aws-cn' })).toBe(
      'arn:aws-cn:iam::123456789012:role/admin',
    );
  });

  it('accepts the full ARN of a listed bare name', () => {
    expect(resolveRoleArn('arn:aws:iam::123456789012:role/admin', ['admin'], cfg)).toBe(
      'arn:aws:iam::123456789012:role/admin',
    );
  });

  it('accepts a listed ARN by ARN or by role name (also with a path), without a role account', () => {
    const arn = 'arn:aws:iam::111111111111:role/stsftw/dev';
    expect(resolveRoleArn(arn, [arn], { partition: 'aws' })).toBe(arn);
    expect(resolveRoleArn('dev', [arn], { partition: 'aws' })).toBe(arn);
  });

  it('refuses a role the entry does not list', () => {
    expect(() => resolveRoleArn('admin', ['dev'], cfg)).toThrow(RoleNotPermittedError);
    expect(() => resolveRoleArn('arn:aws:iam::999999999999:role/admin', ['admin'], cfg)).toThrow(RoleNotPermittedError);
    expect(() => resolveRoleArn('admin', [], cfg)).toThrow(RoleNotPermittedError);
  });

  it('refuses a bare name when no role account is known, saying why', () => {
    expect(() => resolveRoleArn('admin', ['admin'], { partition: 'aws' })).toThrow(/STS_ROLE_ACCOUNT_ID/);
    expect(() => resolveRoleArn('admin', ['admin'], { partition: 'aws' })).toThrow(RoleNotPermittedError);
  });

  it('refuses an ambiguous name', () => {
    const roles = ['arn:aws:iam::111111111111:role/admin', 'arn:aws:iam::222222222222:role/admin'];
    expect(() => resolveRoleArn('admin', roles, cfg)).toThrow(/several roles/);
    expect(resolveRoleArn(roles[1], roles, cfg)).toBe(roles[1]);
  });

  it('enforces the allowed role pattern', () => {
    const pattern = { ...cfg, allowedRolePattern: 'arn:aws:iam::123456789012:role/stsftw/*' };
    const inside = 'arn:aws:iam::123456789012:role/stsftw/dev';
    expect(resolveRoleArn(inside, [inside], pattern)).toBe(inside);
    expect(() =>
      resolveRoleArn('arn:aws:iam::123456789012:role/admin', ['arn:aws:iam::123456789012:role/admin'], pattern),
    ).toThrow(RoleNotPermittedError);
    // Dots in the pattern are literal, not regex wildcards.
    const dotted = { ...cfg, allowedRolePattern: 'arn:aws:iam::123456789012:role/a.b' };
    expect(() => resolveRoleArn('aXb', ['aXb'], dotted)).toThrow(RoleNotPermittedError);
    expect(resolveRoleArn('a.b', ['a.b'], dotted)).toBe('arn:aws:iam::123456789012:role/a.b');
  });
});

describe('resolveRoleArn with allowed patterns', () => {
  it('looks for a bare name under the path of the allowed pattern', () => {
    const pattern = { ...cfg, allowedRolePattern: 'arn:aws:iam::123456789012:role/stsftw/*' };
    expect(resolveRoleArn('admin', ['admin'], pattern)).toBe('arn:aws:iam::123456789012:role/stsftw/admin');
  });

  it('accepts a role matching any of several comma-separated patterns, and no other', () => {
    const many = {
      ...cfg,
      allowedRolePattern: 'arn:aws:iam::123456789012:role/ops-*, arn:aws:iam::123456789012:role/stsftw/*',
    };
    expect(resolveRoleArn('ops-read', ['ops-read'], many)).toBe('arn:aws:iam::123456789012:role/ops-read');
    expect(resolveRoleArn('dev', ['dev'], many)).toBe('arn:aws:iam::123456789012:role/stsftw/dev');
    const outside = 'arn:aws:iam::123456789012:role/admin';
    expect(() => resolveRoleArn(outside, [outside], many)).toThrow(RoleNotPermittedError);
  });
});

describe('roleSessionName', () => {
  it('joins account and issuer', () => {
    expect(roleSessionName('alice', 'example')).toBe('alice@example');
  });

  it('replaces characters outside [\\w+=,.@-] and keeps such names distinct', () => {
    const spaced = roleSessionName('Bob Smith', 'Some Account');
    expect(spaced).toMatch(/^Bob-Smith@Some-Account-[0-9a-f]{8}$/);
    expect(roleSessionName('Bob-Smith', 'Some-Account')).toBe('Bob-Smith@Some-Account');
    expect(spaced).not.toBe(roleSessionName('Bob Smith', 'Some-Account'));
    expect(sourceIdentity('José Núñez')).toMatch(/^Jos--N--ez-[0-9a-f]{8}$/);
    for (const name of ['Bob Smith', 'José Núñez', '運用チーム', "O'Brien (ops)", 'é'.repeat(64)]) {
      expect(sourceIdentity(name)).toMatch(/^[\w+=,.@-]{2,64}$/);
      expect(roleSessionName(name, name)).toMatch(/^[\w+=,.@-]{2,64}$/);
    }
  });

  it('keeps 2..64 characters, deterministically and distinctly for long names', () => {
    const a = roleSessionName('a'.repeat(64), 'issuer-one');
    const b = roleSessionName('a'.repeat(64), 'issuer-two');
    expect(a).toHaveLength(64);
    expect(a).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(a).toBe(roleSessionName('a'.repeat(64), 'issuer-one'));
    expect(a).not.toBe(b);
  });

  it('pads short values', () => {
    expect(sanitizeStsName('a')).toBe('a_');
    expect(sanitizeStsName('')).toBe('__');
    expect(sourceIdentity('a')).toBe('a_');
    expect(sourceIdentity('alice')).toBe('alice');
  });
});

describe('sessionTags', () => {
  it('names the approver that completed the quorum, every approver, and the request', () => {
    expect(sessionTags({ approvers: ['bob'], requestId: 'r_1' })).toEqual([
      { Key: 'stsftw:approver', Value: 'bob' },
      { Key: 'stsftw:approvers', Value: 'bob' },
      { Key: 'stsftw:request-id', Value: 'r_1' },
    ]);
    expect(sessionTags({ approvers: ['bob', 'Carol Smith'], requestId: 'r_1' }).slice(0, 2)).toEqual([
      { Key: 'stsftw:approver', Value: 'Carol Smith' },
      { Key: 'stsftw:approvers', Value: 'bob:Carol Smith' },
    ]);
  });
  it('sanitises an approver name to what session tag values allow (no comma), keeping it distinct', () => {
    const value = sessionTags({ approvers: ['Smith, Bob'], requestId: 'r_1' })[0].Value;
    expect(value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u);
    expect(value).toMatch(/^Smith- Bob-[0-9a-f]{8}$/);
    expect(sessionTags({ approvers: ['Bob Smith'], requestId: 'r_1' })[0].Value).toBe('Bob Smith');
    expect(sessionTags({ approvers: ['José Núñez'], requestId: 'r_1' })[0].Value).toBe('José Núñez');
  });

  it('says none when the role needed no approval', () => {
    expect(sessionTags({ approvers: [], requestId: 'r_1' }).slice(0, 2)).toEqual([
      { Key: 'stsftw:approver', Value: 'none' },
      { Key: 'stsftw:approvers', Value: 'none' },
    ]);
  });

  it('fits five approvers of 64 characters into 256, each still distinct', () => {
    const names = [1, 2, 3, 4, 5].map((n) => `${'x'.repeat(63)}${n}`);
    const value = approversTagValue(names);
    expect(value.length).toBeLessThanOrEqual(256);
    expect(value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u);
    const parts = value.split(':');
    expect(parts).toHaveLength(5);
    expect(new Set(parts).size).toBe(5);
    expect(approversTagValue(['bob', 'carol'])).toBe('bob:carol');
  });
});

describe('clampDuration', () => {
  it('defaults to min(3600, max)', () => {
    expect(clampDuration(undefined, 3600)).toBe(3600);
    expect(clampDuration(undefined, 1800)).toBe(1800);
  });

  it.each([900, 1800, 3600])('accepts %i', (seconds) => {
    expect(clampDuration(seconds, 3600)).toBe(seconds);
  });

  it.each([899, 3601, 0, -900, 1000.5, Number.NaN])('refuses %d', (seconds) => {
    expect(() => clampDuration(seconds, 3600)).toThrow(InvalidRequestError);
  });

  it('refuses more than a lower maximum', () => {
    expect(() => clampDuration(2000, 1800)).toThrow(InvalidRequestError);
  });
});
