import { describe, expect, it } from 'vitest';
import {
  entryView,
  newEntry,
  parseList,
  validateAuthorizers,
  validateName,
  validateRoles,
} from '../../../lambdas/core/entries.js';
import { InvalidRequestError } from '../../../lambdas/core/errors.js';

describe('parseList', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a b  c', ['a', 'b', 'c']],
    [' a, b , c ', ['a', 'b', 'c']],
    ['a,,b,a', ['a', 'b']],
    ['', []],
    [' , ', []],
  ])('parses %j', (text, expected) => {
    expect(parseList(text)).toEqual(expected);
  });

  it('splits a name list on commas only: names may have inner spaces', () => {
    expect(parseList('Bob Smith, carol', 'names')).toEqual(['Bob Smith', 'carol']);
    expect(parseList('Jane Doe', 'names')).toEqual(['Jane Doe']);
    expect(parseList(' a, b , a,,', 'names')).toEqual(['a', 'b']);
    expect(parseList('admin, read only')).toEqual(['admin', 'read', 'only']);
  });
});

describe('validateName', () => {
  it.each([
    'a',
    'alice',
    'alice@example.com',
    'a.b_c-d+e=f,g',
    'x'.repeat(64),
    // STSFTW 1.0's own example issuer, and names as people write them.
    'Some Account',
    'José Núñez',
    "O'Brien (ops)",
    '運用チーム',
    'é'.repeat(64),
  ])('accepts %j', (name) => {
    expect(validateName('account name', name)).toBe(name);
  });

  it.each([
    '',
    'x'.repeat(65),
    'é'.repeat(65),
    ' alice',
    'alice ',
    ' ',
    'a/b',
    'a:b',
    'a\n',
    'a\tb',
    'a\u00a0b',
    'a\u200bb',
    'a\u0000',
  ])('refuses %j naming the kind', (name) => {
    expect(() => validateName('issuer', name)).toThrow(InvalidRequestError);
    expect(() => validateName('issuer', name)).toThrow(/issuer/);
    expect(() => validateName('account name', name)).toThrow(/account name/);
  });

  it('says what is wrong without echoing the value', () => {
    expect(() => validateName('issuer', ' Secret Team')).toThrow(/starts or ends with a space/);
    expect(() => validateName('issuer', ' Secret Team')).not.toThrow(/Secret/);
    expect(() => validateName('issuer', 'x'.repeat(65))).toThrow(/longer than 64/);
  });

  it('refuses non-strings', () => {
    expect(() => validateName('issuer', undefined)).toThrow(InvalidRequestError);
  });
});

describe('validateRoles', () => {
  it('accepts names and IAM role ARNs (with paths, other partitions) and dedups', () => {
    const roles = [
      'admin',
      'read-only@x',
      'arn:aws:iam::123456789012:role/admin',
      'arn:aws-us-gov:iam::123456789012:role/stsftw/team/dev',
      'admin',
    ];
    expect(validateRoles(roles)).toEqual(roles.slice(0, 4));
    expect(validateRoles([])).toEqual([]);
  });

  it.each([
    'a b',
    'x'.repeat(65),
    '',
    'arn:aws:iam::12345678901:role/x',
    'arn:aws:iam::123456789012:user/x',
    'arn:aws:sts::123456789012:assumed-role/x/y',
    'arn:aws:iam::123456789012:role/',
    'team/admin',
  ])('refuses %j', (role) => {
    expect(() => validateRoles([role])).toThrow(InvalidRequestError);
  });

  it('refuses a non-list', () => {
    expect(() => validateRoles('admin')).toThrow(InvalidRequestError);
  });
});

describe('validateAuthorizers', () => {
  it('accepts valid names and dedups', () => {
    expect(validateAuthorizers('alice', ['bob', 'carol', 'bob'])).toEqual(['bob', 'carol']);
  });

  it('refuses the account itself', () => {
    expect(() => validateAuthorizers('alice', ['bob', 'alice'])).toThrow(/own secondary authorizer/);
  });

  it('refuses invalid names', () => {
    expect(() => validateAuthorizers('alice', ['b\tb'])).toThrow(InvalidRequestError);
    expect(validateAuthorizers('alice', ['b o b'])).toEqual(['b o b']);
  });
});

describe('newEntry and entryView', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const entry = newEntry({
    issuer: 'example',
    accountName: 'alice',
    roles: ['admin'],
    secondaryAuthorization: ['bob'],
    totpSecret: 'ENCRYPTED',
    now,
  });

  it('builds a validated entry with timestamps', () => {
    expect(entry).toMatchObject({
      issuer: 'example',
      accountName: 'alice',
      roles: ['admin'],
      secondaryAuthorization: ['bob'],
      totpSecret: 'ENCRYPTED',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    expect(entry.lastStep).toBeUndefined();
  });

  it('refuses an entry without a secret', () => {
    expect(() =>
      newEntry({ issuer: 'e', accountName: 'a', roles: [], secondaryAuthorization: [], totpSecret: '', now }),
    ).toThrow(InvalidRequestError);
  });

  it('never shows the secret', () => {
    const view = entryView({ ...entry, lastStep: 5, lockedUntil: '2030-01-01T00:15:00.000Z' });
    expect(view).toEqual({
      issuer: 'example',
      accountName: 'alice',
      roles: ['admin'],
      secondaryAuthorization: ['bob'],
      approvalRules: [],
      hasSecret: true,
      lockedUntil: '2030-01-01T00:15:00.000Z',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    expect(JSON.stringify(view)).not.toContain('ENCRYPTED');
    expect(entryView({ ...entry, totpSecret: '' }).hasSecret).toBe(false);
    expect(entryView({ ...entry, totpSecret: undefined }).lockedUntil).toBeNull();
  });
});
