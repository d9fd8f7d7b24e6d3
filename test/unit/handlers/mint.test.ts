import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Exactly what infra gives the mint function: no KMS key, no audit topic, no state machine.
beforeAll(() => {
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('STS_TABLE_NAME', 'stsftw-auth');
  vi.stubEnv('STS_REQUESTS_TABLE_NAME', 'stsftw-requests');
  vi.stubEnv('STS_KMS_KEY_ID', undefined);
  vi.stubEnv('STS_AUDIT_TOPIC_ARN', undefined);
  vi.stubEnv('STS_STATE_MACHINE_ARN', undefined);
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe('mint handler', () => {
  it.each([['verifyRequester'], ['awaitApproval'], ['recordOutcome']])('mint refuses action %s', async (action) => {
    const { handler } = await import('../../../lambdas/handlers/mint.js');
    await expect(handler({ action })).rejects.toMatchObject({
      name: 'InvalidRequestError',
      message: 'This function only mints.',
    });
  });

  it('mint passes mint on to the tasks', async () => {
    const { handler } = await import('../../../lambdas/handlers/mint.js');
    await expect(handler({ action: 'mint', requestId: 'nope' })).rejects.toThrow(
      'Task payload: requestId is not a request id.',
    );
  });

  it('starts without the key and topic it has no grant on', async () => {
    const { handler } = await import('../../../lambdas/handlers/mint.js');
    // Reaching the mint route's payload check proves the module (config, clients, composition) loaded.
    await expect(handler({ action: 'mint', requestId: 'nope' })).rejects.toThrow(
      'Task payload: requestId is not a request id.',
    );
  });
});
