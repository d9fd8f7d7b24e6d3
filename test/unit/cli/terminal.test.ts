import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../../cli/errors.js';
import { readAnswer } from '../../../cli/terminal.js';

describe('readAnswer', () => {
  it('returns the line up to Enter, applying backspaces', async () => {
    const input = new PassThrough();
    const answer = readAnswer(input);
    input.write('12x\u007f34');
    input.write('56\rignored');
    await expect(answer).resolves.toBe('123456');
  });

  it.each([
    ['Ctrl-C', '\u0003'],
    ['Ctrl-D on an empty answer', '\u0004'],
  ])('interrupts on %s', async (_name, key) => {
    const input = new PassThrough();
    const answer = readAnswer(input);
    input.write(key);
    await expect(answer).rejects.toBeInstanceOf(InterruptedError);
  });

  it('interrupts when the input ends (Ctrl-D at a cooked prompt) instead of hanging', async () => {
    const input = new PassThrough();
    const answer = readAnswer(input);
    input.end('y');
    await expect(answer).rejects.toBeInstanceOf(InterruptedError);
  });
});
