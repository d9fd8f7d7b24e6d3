import { describe, expect, it } from 'vitest';
import { optionalNumber, optionalString, stringList } from '../../../../lambdas/adapters/aws/item-values.js';

describe('item values', () => {
  it.each([
    [
      ['a', 'b'],
      ['a', 'b'],
    ],
    [new Set(['a', 'b']), ['a', 'b']],
    [['a', 3, null], ['a']],
    [undefined, []],
    ['a', []],
  ])('reads %s as the string list %s', (value, list) => {
    expect(stringList(value)).toEqual(list);
  });

  it.each([
    [5, 5],
    ['7', 7],
    ['', undefined],
    ['x', undefined],
    [Number.NaN, undefined],
    [undefined, undefined],
  ])('reads %s as the number %s', (value, number) => {
    expect(optionalNumber(value)).toBe(number);
  });

  it('reads strings only', () => {
    expect(optionalString('x')).toBe('x');
    expect(optionalString(1)).toBeUndefined();
  });
});
