import { describe, expect, it } from 'vitest';
import { outcomeError } from '../../../../lambdas/core/tasks/outcome.js';

describe('outcomeError', () => {
  it('never uses the Cause', () => {
    expect(outcomeError('FAILED', { Error: 'X', Cause: 'boom' } as never)).toEqual({
      code: 'internal',
      message: 'Minting or auditing failed; no credentials were released.',
    });
  });
});
