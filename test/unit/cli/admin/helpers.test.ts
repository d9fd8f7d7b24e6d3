import { describe, expect, it } from 'vitest';
import { listOption } from '../../../../cli/admin/list-options.js';
import { formatTable } from '../../../../cli/admin/table.js';

describe('listOption', () => {
  it('merges repeated flags, commas and spaces', () => {
    expect(listOption(['a,b', 'c d', 'a'], 'ignored')).toEqual(['a', 'b', 'c', 'd']);
  });
  it('falls back to the environment only without flags', () => {
    expect(listOption(undefined, 'x, y')).toEqual(['x', 'y']);
    expect(listOption([], 'x')).toEqual(['x']);
    expect(listOption(undefined, undefined)).toBeUndefined();
  });
});

describe('formatTable', () => {
  it('pads every column but the last', () => {
    expect(
      formatTable(
        ['A', 'BB', 'C'],
        [
          ['long', 'x', 'end'],
          ['s', 'yyy', ''],
        ],
      ),
    ).toBe('A     BB   C\nlong  x    end\ns     yyy\n');
  });
});
