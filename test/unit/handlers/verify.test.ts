import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Exactly what infra gives the verify function: no state machine. The entry reads it at import, as on a cold start.
beforeAll(() => {
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('STS_TABLE_NAME', 'stsftw-auth');
  vi.stubEnv('STS_REQUESTS_TABLE_NAME', 'stsftw-requests');
  vi.stubEnv('STS_AUDIT_TOPIC_ARN', 'arn:aws:sns:eu-west-1:123456789012:stsftw-audit');
  vi.stubEnv('STS_KMS_KEY_ID', 'alias/stsftw');
  vi.stubEnv('STS_STATE_MACHINE_ARN', undefined);
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe('verify handler', () => {
  it.each([['mint'], ['unknown'], [undefined]])('verify refuses action %s', async (action) => {
    const { handler } = await import('../../../lambdas/handlers/verify.js');
    await expect(handler({ action } as never)).rejects.toMatchObject({
      name: 'InvalidRequestError',
      message: 'This function does not run that action.',
    });
  });

  it.each([['verifyRequester'], ['verifyApprover'], ['awaitApproval'], ['recordOutcome']])(
    'verify passes %s on to the tasks',
    async (action) => {
      const { handler } = await import('../../../lambdas/handlers/verify.js');
      // A malformed payload is refused by that action's payload check, before any AWS call: proof it got there.
      await expect(handler({ action, requestId: 'nope' })).rejects.toThrow(
        'Task payload: requestId is not a request id.',
      );
    },
  );
});
