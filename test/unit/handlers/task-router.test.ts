import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../lambdas/core/errors.js';
import { mintRoutes, type TaskHandler, taskHandler, verifyRoutes } from '../../../lambdas/handlers/task-router.js';
import { setup } from '../core/tasks/fixture.js';

describe('taskHandler', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  let dispatch: TaskHandler;
  beforeEach(async () => {
    t = await setup();
    // Both functions' routes, as the embedded broker's local workflow has them.
    dispatch = taskHandler({ ...verifyRoutes(t.tasks), ...mintRoutes(t.tasks) });
  });

  it('routes by action', async () => {
    const id = await t.request();
    await expect(
      dispatch({
        action: 'verifyRequester',
        requestId: id,
        totpCode: t.code('alice'),
        secondaryTotpCode: null,
      }),
    ).resolves.toEqual({ next: 'awaitApproval' });
    await expect(dispatch({ action: 'awaitApproval', requestId: id, taskToken: 'tok' })).resolves.toEqual({
      stored: true,
    });
    await expect(
      dispatch({
        action: 'recordOutcome',
        requestId: id,
        status: 'EXPIRED',
        error: { Error: 'States.Timeout', Cause: 'x' },
      }),
    ).resolves.toHaveProperty('audit');
    const approved = await t.request({ status: 'APPROVED' });
    await expect(dispatch({ action: 'mint', requestId: approved })).resolves.toHaveProperty('sealed');
    const single = await t.request({ secondaryAccountName: 'bob' });
    await expect(
      dispatch({ action: 'verifyApprover', requestId: single, accountName: 'bob', totpCode: t.code('bob') }),
    ).resolves.toEqual({ next: 'mint', approvedBy: 'bob' });
  });

  it.each([
    ['an unknown action', { action: 'drop', requestId: 'r_0123456789abcdefghjkmnpqrs' }],
    ['a bad request id', { action: 'mint', requestId: 'x' }],
    ['a missing code', { action: 'verifyRequester', requestId: 'r_0123456789abcdefghjkmnpqrs' }],
    ['a non-string code', { action: 'verifyRequester', requestId: 'r_0123456789abcdefghjkmnpqrs', totpCode: 123456 }],
    ['a missing token', { action: 'awaitApproval', requestId: 'r_0123456789abcdefghjkmnpqrs' }],
    ['an unknown outcome', { action: 'recordOutcome', requestId: 'r_0123456789abcdefghjkmnpqrs', status: 'MINTED' }],
    [
      'a malformed error',
      { action: 'recordOutcome', requestId: 'r_0123456789abcdefghjkmnpqrs', status: 'FAILED', error: 'x' },
    ],
  ])('refuses %s', async (_label, payload) => {
    await expect(dispatch(payload as never)).rejects.toThrow(InvalidRequestError);
  });
});
