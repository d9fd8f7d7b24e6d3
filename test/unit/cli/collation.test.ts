import { describe, expect, it } from 'vitest';
import { asciiCollation, withAsciiCollation } from '../../../cli/collation.js';

const CLIPANION = { usage: 'sort', caseFirst: 'upper' } as const;
const icu = (a: string, b: string) => Math.sign(a.localeCompare(b, 'en', CLIPANION));

/** Deterministic pseudo-random strings over letters of both cases, digits, whitespace and punctuation. */
function strings(count: number, seed = 11): string[] {
  const alphabet = 'aAbBzZmM09 5\n\t-_[]<>#.,/`\'"$~|aab';
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let text = '';
    for (let n = next() % 7; n > 0; n--) text += alphabet[next() % alphabet.length];
    out.push(text);
  }
  return out;
}

describe('ASCII collation without ICU', () => {
  it('agrees with ICU on every pair it decides, and decides most', () => {
    const words = [...strings(300), 'sts update', 'sts update roles [--x #0]', 'Approver\n', 'Requester\n', ''];
    let decided = 0;
    let pairs = 0;
    for (const a of words) {
      for (const b of words) {
        pairs++;
        const known = asciiCollation(a, b);
        if (known === undefined) continue;
        decided++;
        expect([a, b, known]).toEqual([a, b, icu(a, b)]);
      }
    }
    expect(decided / pairs).toBeGreaterThan(0.5);
  });

  it('decides the names sts --help sorts, and leaves the rest to ICU', () => {
    expect(asciiCollation('Approver\n', 'Requester\n')).toBe(-1);
    expect(asciiCollation('sts update', 'sts update approvals [--issuer #0] ...')).toBe(-1);
    expect(asciiCollation('sts get [--issuer #0]', 'sts exec [--issuer #0] <command> ...')).toBe(1);
    expect(asciiCollation('a-b', 'a_b')).toBeUndefined(); // two punctuation marks
    expect(asciiCollation('ab', 'Ab')).toBeUndefined(); // one letter in two cases
    expect(asciiCollation('é', 'e')).toBeUndefined();
    expect(asciiCollation('a\u0001', 'a')).toBeUndefined(); // ICU ignores most control characters
  });

  it('answers clipanion’s calls inside, other options after ICU, and restores localeCompare', () => {
    const localeCompare = String.prototype.localeCompare;
    const inside = withAsciiCollation(() => {
      expect(String.prototype.localeCompare).not.toBe(localeCompare);
      return {
        sorted: ['b', 'B', 'a', 'Requester', 'Approver'].sort((x, y) => x.localeCompare(y, 'en', CLIPANION)),
        numeric: 'a2'.localeCompare('a10', 'en', { ...CLIPANION, numeric: true }),
        plain: 'a-b'.localeCompare('a_b'),
      };
    });
    expect(inside.sorted).toEqual(['a', 'Approver', 'B', 'b', 'Requester']);
    expect(inside.numeric).toBe(-1); // numeric collation: 2 before 10, not ASCII's '2' > '1'
    expect(inside.plain).toBe('a-b'.localeCompare('a_b'));
    expect(String.prototype.localeCompare).toBe(localeCompare);
    expect(() =>
      withAsciiCollation(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(String.prototype.localeCompare).toBe(localeCompare);
  });
});
